using BeyondNll.Client.Commands;
using BeyondNll.Grains;

namespace BeyondNll.Cluster.Tests;

/// <summary>`bnll export NAME --format verl`: the paper trainer's flag for a study's answer.</summary>
public class ExportTests
{
    static StudyStatus WithAnswer(string objective)
    {
        var status = StatusSamples.Completed();
        return status with { Answer = status.Answer! with { Objective = objective } };
    }

    [Theory]
    [InlineData("power:10", "trainer.objective_trans=GeneralFamily-10")]
    [InlineData("power:1", "trainer.objective_trans=p")]
    [InlineData("nll", "trainer.objective_trans=original")]
    [InlineData("top-p:0.5", "trainer.objective_trans=OnlyTopP-0.5")]
    [InlineData("bottom-logp:0.2", "trainer.objective_trans=OnlyBottomLogP-0.2")]
    public void Verl_flag_carries_the_paper_key(string objective, string flag)
    {
        var export = ExportCommand.Export(WithAnswer(objective), "verl");
        Assert.Equal(flag, export.Flag);
        Assert.Equal(objective, export.Objective);
    }

    [Fact]
    public void The_export_is_the_studys_answer_with_its_learning_rate()
    {
        var nllWon = StatusSamples.Completed(metric: "nll");
        var export = ExportCommand.Export(nllWon, "verl");
        Assert.Equal(("nll", "trainer.objective_trans=original", 0.75), (export.Objective, export.Flag, export.Value));
        Assert.Equal(nllWon.Answer!.LearningRate, export.Lr);
        Assert.False(export.Confirmed);
    }

    [Fact]
    public void A_study_without_a_finished_trial_has_nothing_to_export()
    {
        var e = Assert.Throws<ArgumentException>(() => ExportCommand.Export(StatusSamples.JustStarted(), "verl"));
        Assert.Contains("no finished trial", e.Message);
    }

    [Fact]
    public void An_unknown_format_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => ExportCommand.Export(StatusSamples.Completed(), "trl"));
        Assert.Contains("'trl'", e.Message);
        Assert.Contains("verl", e.Message);
    }
}
