using BeyondNll.Training.Objectives;

namespace BeyondNll.Training.Tests.Objectives;

public class ObjectiveSpecTests
{
    [Theory]
    [InlineData("nll", "original")]
    [InlineData("power:10", "GeneralFamily-10")]
    [InlineData("power:1", "p")]
    [InlineData("power:0.5", "GeneralFamily-0.5")]
    [InlineData("power:-1", "GeneralFamily--1")]
    [InlineData("top-p:0.5", "OnlyTopP-0.5")]
    [InlineData("bottom-p:0.1", "OnlyBottomP-0.1")]
    [InlineData("top-logp:0.25", "OnlyTopLogP-0.25")]
    [InlineData("bottom-logp:1", "OnlyBottomLogP-1")]
    public void Spec_and_paper_key_round_trip(string spec, string paperKey)
    {
        var fromSpec = Objective.Parse(spec);
        Assert.Equal(spec, fromSpec.Spec);
        Assert.Equal(paperKey, fromSpec.PaperKey);

        var fromKey = Objective.FromPaperKey(paperKey);
        Assert.Equal(fromSpec, fromKey);
        Assert.Equal(fromSpec, Objective.Parse(fromKey.Spec));
        Assert.Equal(fromSpec, Objective.FromPaperKey(fromKey.PaperKey));
    }

    [Theory]
    [InlineData("top-p:1", true)]
    [InlineData("top-logp:1", true)]
    [InlineData("bottom-p:0", true)]
    [InlineData("bottom-logp:0", true)]
    [InlineData("top-p:0.99", false)]
    [InlineData("bottom-p:0.01", false)]
    [InlineData("nll", false)]
    [InlineData("power:10", false)]
    public void An_objective_whose_indicator_leaves_out_every_token_trains_nothing(string spec, bool nothing)
    {
        var objective = Objective.Parse(spec);
        Assert.Equal(nothing, objective.TrainsNothing);
        // Said of every p strictly between 0 and 1: no such token takes part, or some does.
        Assert.Equal(nothing, !new[] { 1e-6, 0.3, 0.7, 1 - 1e-9 }.Any(objective.Includes));
    }

    [Fact]
    public void Logp_is_another_paper_key_for_nll() => Assert.Equal(Objective.Nll, Objective.FromPaperKey("logp"));

    [Fact]
    public void Parse_accepts_a_paper_key_too() => Assert.Equal(Objective.Power(10), Objective.Parse("GeneralFamily-10"));

    [Fact]
    public void Power_zero_is_the_nll_limit()
    {
        Assert.Equal(Objective.Nll, Objective.Parse("power:0"));
        Assert.Equal("nll", Objective.Parse("power:0").Spec);
    }

    [Theory]
    [InlineData("top-p:1.5", "[0, 1]")]
    [InlineData("bottom-p:-0.1", "[0, 1]")]
    [InlineData("top-logp:NaN", "[0, 1]")]
    [InlineData("power:abc", "not a number")]
    [InlineData("power:Infinity", "finite")]
    [InlineData("middle-p:0.5", "unknown objective")]
    [InlineData("GeneralFamily", "unknown objective")]
    [InlineData("OnlyTopP-2", "[0, 1]")]
    [InlineData("", "empty")]
    public void Bad_specs_are_rejected_with_a_message_naming_the_problem(string spec, string expected)
    {
        var e = Assert.ThrowsAny<Exception>(() => Objective.Parse(spec));
        Assert.True(e is FormatException or ArgumentException, e.GetType().Name);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public void Power_tends_to_nll_as_k_tends_to_zero(double p)
    {
        Assert.Equal(-Math.Log(p), Objective.Power(1e-9).Value(p), 6);
        Assert.Equal(-Math.Log(p), Objective.Power(-1e-9).Value(p), 6);
    }

    [Fact]
    public void Gradient_weights_follow_the_closed_forms()
    {
        const double p = 0.3;
        Assert.Equal(1 - p, Objective.Nll.GradientWeight(p), 12);
        Assert.Equal(Math.Pow(p, 10) * (1 - p), Objective.Power(10).GradientWeight(p), 15);
        Assert.Equal(p * (1 - p), Objective.Power(1).GradientWeight(p), 12);
        Assert.Equal(0, Objective.Parse("top-p:0.5").GradientWeight(p));
        Assert.Equal(p * (1 - p), Objective.Parse("bottom-p:0.5").GradientWeight(p), 12);
        Assert.Equal(1 - p, Objective.Parse("bottom-logp:0.5").GradientWeight(p), 12);
    }
}
