using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Grains;

namespace BeyondNll.Cluster.Tests;

/// <summary>The JSON of `bnll search status --json` and `search list --json`: contracts users' scripts rely on.</summary>
public class StatusJsonTests
{
    [Fact]
    public void Status_has_the_contract_fields_first_and_in_order()
    {
        var json = JsonLine.Of(SearchStatusView.ToJson(StatusSamples.Completed()));
        Assert.Equal(["study", "state", "backbone", "trials", "best", "baseline"], JsonLine.Names(json).Take(6));
        Assert.Equal(["number", "objective", "params", "state", "value", "attempts", "silo", "device"],
            JsonLine.Names(json.GetProperty("trials")[0]).Take(8));
        Assert.Equal(["number", "objective", "value"], JsonLine.Names(json.GetProperty("best")).Take(3));
        Assert.Equal(["objective", "value"], JsonLine.Names(json.GetProperty("baseline")).Take(2));
    }

    [Fact]
    public void Status_values_are_lowercase_states_params_objects_and_the_last_attempt()
    {
        var json = JsonLine.Of(SearchStatusView.ToJson(StatusSamples.Completed()));
        Assert.Equal("s1", json.GetProperty("study").GetString());
        Assert.Equal("completed", json.GetProperty("state").GetString());
        Assert.Equal("tiny", json.GetProperty("backbone").GetString());

        var trials = json.GetProperty("trials");
        Assert.Equal(3, trials.GetArrayLength());
        var best = trials[1];
        Assert.Equal(JsonValueKind.Object, best.GetProperty("params").ValueKind);
        Assert.Equal(10, best.GetProperty("params").GetProperty("k").GetDouble());
        Assert.Equal(2, best.GetProperty("attempts").GetInt32());
        Assert.Equal("silo-b", best.GetProperty("silo").GetString());
        Assert.Equal("cuda:0", best.GetProperty("device").GetString());
        Assert.Equal(["failed: silo lost", "completed"], best.GetProperty("attempt_log").EnumerateArray().Select(a => a.GetProperty("outcome").GetString()));
        Assert.Equal("pruned", trials[2].GetProperty("state").GetString());

        Assert.Equal(1, json.GetProperty("best").GetProperty("number").GetInt32());
        Assert.Equal("power:10", json.GetProperty("best").GetProperty("objective").GetString());
        Assert.Equal(0.80, json.GetProperty("best").GetProperty("value").GetDouble());
        Assert.Equal("nll", json.GetProperty("baseline").GetProperty("objective").GetString());
        Assert.Equal(0.75, json.GetProperty("baseline").GetProperty("value").GetDouble());
        Assert.Equal(3, json.GetProperty("trials_done").GetInt32());
    }

    [Fact]
    public void Best_and_baseline_are_null_until_there_are_some()
    {
        var json = JsonLine.Of(SearchStatusView.ToJson(StatusSamples.JustStarted()));
        Assert.Equal("running", json.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("best").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("baseline").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("trials")[0].GetProperty("value").ValueKind);
        Assert.Equal(0, json.GetProperty("trials_done").GetInt32());
    }

    [Fact]
    public void Params_that_are_no_json_stay_a_string_rather_than_failing()
    {
        var trial = StatusSamples.Trial(0) with { ParamsJson = "oops", Attempts = [] };
        var json = JsonLine.Of(SearchStatusView.ToJson(trial));
        Assert.Equal("oops", json.GetProperty("params").GetString());
        Assert.Equal(0, json.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("silo").ValueKind);
    }

    [Fact]
    public void List_entry_has_the_contract_fields()
    {
        var json = JsonLine.Of(new SearchCommand.ListJson([SearchCommand.Summarize(StatusSamples.Completed())]));
        var study = json.GetProperty("studies")[0];
        Assert.Equal(["study", "state", "backbone", "trials_done", "trial_budget", "best_objective", "best_value"], JsonLine.Names(study).Take(7));
        Assert.Equal(3, study.GetProperty("trials_done").GetInt32());
        Assert.Equal("power:10", study.GetProperty("best_objective").GetString());
    }

    [Theory]
    [InlineData("accuracy", 0.05, "power:10")]
    [InlineData("nll", -0.05, "nll")]
    public void Gain_is_positive_when_the_best_beats_nll(string metric, double gain, string winner)
    {
        var status = StatusSamples.Completed(metric);
        Assert.Equal(gain, SearchStatusView.Gain(status)!.Value, 1e-12);
        Assert.Equal(winner, status.Answer!.Objective);
        var answer = JsonLine.Of(SearchStatusView.ToJson(status)).GetProperty("answer");
        Assert.Equal(winner, answer.GetProperty("objective").GetString());
        Assert.Equal(gain, answer.GetProperty("gain").GetDouble(), 1e-12);
        Assert.False(answer.GetProperty("confirmed").GetBoolean());
        Assert.Null(SearchStatusView.Gain(StatusSamples.JustStarted()));
    }

    [Fact]
    public void Summary_names_the_paper_key_and_the_gain_over_nll()
    {
        var line = SearchStatusView.Summary(StatusSamples.Completed());
        Assert.Contains("power:10 (GeneralFamily-10)", line);
        Assert.Contains("nll baseline 0.7500", line);
        Assert.Contains("gain +0.0500", line);
    }

    [Fact]
    public void Status_carries_the_whole_recipe_of_the_study_and_of_each_trial()
    {
        var json = JsonLine.Of(SearchStatusView.ToJson(StatusSamples.Completed()));
        Assert.Equal(0.001, json.GetProperty("recipe").GetProperty("lr").GetDouble());
        Assert.Equal(64, json.GetProperty("recipe").GetProperty("max_length").GetInt32());
        Assert.Equal(0.1, json.GetProperty("recipe").GetProperty("warmup").GetDouble());
        var power = json.GetProperty("trials")[1];
        Assert.Equal("power:10", power.GetProperty("recipe").GetProperty("objective").GetString());
        Assert.Equal(power.GetProperty("lr").GetDouble(), power.GetProperty("recipe").GetProperty("lr").GetDouble());
        Assert.Equal("torch", json.GetProperty("workload").GetString());
    }

    [Fact]
    public void Status_shows_the_real_backbone_settings_and_what_each_trial_trained()
    {
        var completed = StatusSamples.Completed();
        var lora = completed with { Recipe = completed.Recipe with { Dtype = "bfloat16", GradientCheckpointing = true, LoraRank = 16, LoraAlpha = 32, LoraTargets = "all-linear" } };
        lora = lora with { Trials = [lora.Trials[0] with { TrainableParameters = 4_358_144, WeightDtype = "bfloat16" }, .. lora.Trials.Skip(1)] };
        var json = JsonLine.Of(SearchStatusView.ToJson(lora));
        Assert.Equal("bfloat16", json.GetProperty("dtype").GetString());
        Assert.True(json.GetProperty("gradient_checkpointing").GetBoolean());
        Assert.Equal(16, json.GetProperty("lora_rank").GetInt32());
        Assert.Equal(32, json.GetProperty("lora_alpha").GetDouble());
        Assert.Equal("all-linear", json.GetProperty("lora_targets").GetString());
        var trial = json.GetProperty("trials")[0];
        Assert.Equal(4_358_144, trial.GetProperty("trainable_parameters").GetInt64());
        Assert.Equal("bfloat16", trial.GetProperty("dtype").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("trials")[1].GetProperty("trainable_parameters").ValueKind);

        var writer = new StringWriter();
        Client.Commands.ClusterCommandLine.AnsiFor(writer).Write(SearchStatusView.Render(lora));
        Assert.Contains("training bfloat16, LoRA rank 16 alpha 32 on all-linear, gradient checkpointing", writer.ToString());

        // A study that set nothing says so: float32 and all weights, as before the settings existed.
        var plain = JsonLine.Of(SearchStatusView.ToJson(StatusSamples.Completed()));
        Assert.Equal(("float32", false, 0), (plain.GetProperty("dtype").GetString(), plain.GetProperty("gradient_checkpointing").GetBoolean(), plain.GetProperty("lora_rank").GetInt32()));
        Assert.Equal("float32, all weights", SearchStatusView.Tuning(StatusSamples.Completed()));
    }

    [Fact]
    public void Status_table_renders_as_plain_text()
    {
        var writer = new StringWriter();
        Client.Commands.ClusterCommandLine.AnsiFor(writer).Write(SearchStatusView.Render(StatusSamples.JustStarted()));
        var text = writer.ToString();
        Assert.Contains("study s0 · running", text);
        Assert.Contains("40/100", text);
        Assert.Contains("best: none yet", text);
        Assert.DoesNotContain("\u001b[", text);
    }
}
