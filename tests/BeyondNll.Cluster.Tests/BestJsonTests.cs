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
    public void Backbone_list_has_the_contract_fields()
    {
        var json = JsonLine.Of(new BackboneCommand.ListJson([new("tiny", "/models/tiny", 1234, "byte", DateTimeOffset.UnixEpoch)]));
        Assert.Equal(["name", "path", "parameters", "tokenizer", "added"],
            JsonLine.Names(json.GetProperty("backbones")[0]));
    }
}
