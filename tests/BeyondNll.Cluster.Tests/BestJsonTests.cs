using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Grains;

namespace BeyondNll.Cluster.Tests;

/// <summary>`bnll best --backbone B --json` and `bnll backbone list --json`.</summary>
public class BestJsonTests
{
    [Fact]
    public void Best_lists_results_per_data_set_with_the_contract_fields()
    {
        var view = new BackboneView
        {
            Name = "tiny",
            Path = "/models/tiny",
            Results =
            [
                new DatasetResult { Dataset = "math", Objective = "power:10", PaperKey = "GeneralFamily-10", Value = 0.8, NllValue = 0.75, Gain = 0.05, Study = "s1", Metric = "accuracy" },
                new DatasetResult { Dataset = "code", Objective = "nll", PaperKey = "original", Value = 0.5, Study = "s2", Metric = "accuracy" },
            ],
        };
        var json = JsonLine.Of(BestCommand.ToJson(view));
        Assert.Equal("tiny", json.GetProperty("backbone").GetString());
        var results = json.GetProperty("results");
        Assert.Equal(["code", "math"], results.EnumerateArray().Select(r => r.GetProperty("dataset").GetString()));
        Assert.Equal(["dataset", "objective", "paper_key", "value", "nll_value", "gain", "study"],
            JsonLine.Names(results[1]).Take(7));
        Assert.Equal("GeneralFamily-10", results[1].GetProperty("paper_key").GetString());
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("gain").ValueKind);
    }

    [Fact]
    public void Best_results_say_whether_confirmed_and_carry_the_test_value_and_the_winners_rate()
    {
        var view = new BackboneView
        {
            Name = "tiny",
            Path = "/models/tiny",
            Results =
            [
                new DatasetResult { Dataset = "math", Objective = "power:1", PaperKey = "p", Value = 0.8, TestValue = 0.78, LearningRate = 1e-4,
                    Confirmed = true, Split = "test", NllValue = 0.75, Gain = 0.03, Study = "s1", Metric = "accuracy" },
                new DatasetResult { Dataset = "code", Objective = "nll", PaperKey = "original", Value = 0.5, LearningRate = 3e-4, Study = "s2", Metric = "accuracy" },
            ],
        };
        var results = JsonLine.Of(BestCommand.ToJson(view)).GetProperty("results");
        var math = results[1];
        Assert.Equal((0.78, 1e-4, true, "test"), (math.GetProperty("test_value").GetDouble(), math.GetProperty("lr").GetDouble(),
            math.GetProperty("confirmed").GetBoolean(), math.GetProperty("split").GetString()));
        var code = results[0];
        Assert.Equal(JsonValueKind.Null, code.GetProperty("test_value").ValueKind);
        Assert.False(code.GetProperty("confirmed").GetBoolean());
        Assert.Equal(3e-4, code.GetProperty("lr").GetDouble());
    }

    [Fact]
    public void Backbone_list_has_the_contract_fields()
    {
        var json = JsonLine.Of(new BackboneCommand.ListJson([new("tiny", "/models/tiny", 1234, "byte", DateTimeOffset.UnixEpoch)]));
        Assert.Equal(["name", "path", "parameters", "tokenizer", "added"],
            JsonLine.Names(json.GetProperty("backbones")[0]));
    }
}
