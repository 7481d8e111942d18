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

    /// <summary>A winner that trains nothing (top-p:1 won the README's held-out search) is said to be the backbone as it is.</summary>
    [Fact]
    public void Summary_says_when_the_answer_trains_nothing()
    {
        var completed = StatusSamples.Completed();
        Assert.DoesNotContain("trains nothing", SearchStatusView.Summary(completed));
        var untrained = completed with { Answer = completed.Answer! with { Objective = "top-p:1" } };
        Assert.Contains("note: top-p:1 trains nothing (no token of p in (0, 1) takes part): the backbone as it is beat the fine-tuned ones here",
            SearchStatusView.Summary(untrained));
    }

    [Fact]
    public void Status_carries_the_whole_recipe_of_the_study_and_of_each_trial()
    {
        var json = JsonLine.Of(SearchStatusView.ToJson(StatusSamples.Completed()));
        Assert.Equal(0.0003, json.GetProperty("recipe").GetProperty("lr").GetDouble());
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
        Assert.Contains("answer: none yet", text);
        Assert.DoesNotContain("\u001b[", text);
    }

    [Fact]
    public void With_test_data_each_trial_adds_its_test_value_and_the_answer_its_contract_fields()
    {
        var status = StatusSamples.ConfirmedOnTest();
        var json = JsonLine.Of(SearchStatusView.ToJson(status));
        Assert.Equal("/data/test.jsonl", json.GetProperty("test_data").GetString());
        Assert.Equal("torch", json.GetProperty("workload").GetString());
        var trial = json.GetProperty("trials")[0];
        Assert.Equal((0.70, 0.60), (trial.GetProperty("value").GetDouble(), trial.GetProperty("test_value").GetDouble()));

        var answer = json.GetProperty("answer");
        Assert.Equal(["objective", "paper_key", "lr", "value"], JsonLine.Names(answer).Take(4));
        Assert.Equal(("power:1", 1e-4, 0.75, true), (answer.GetProperty("objective").GetString(), answer.GetProperty("lr").GetDouble(),
            answer.GetProperty("value").GetDouble(), answer.GetProperty("confirmed").GetBoolean()));
        // The confirmed mean on test over the three fresh seeds: 0.65, 0.65, 0.67.
        Assert.Equal(0.65 + 0.02 / 3, answer.GetProperty("test_value").GetDouble(), 12);
        Assert.Equal("test", answer.GetProperty("split").GetString());
    }

    [Fact]
    public void The_confirmation_names_its_paired_test_and_gives_the_holm_adjusted_p_and_the_gains_interval()
    {
        var json = JsonLine.Of(SearchStatusView.ToJson(StatusSamples.ConfirmedOnTest()));
        var confirmation = json.GetProperty("confirmation");
        Assert.Equal("paired-t", confirmation.GetProperty("test").GetString());
        Assert.Equal(("test", 3), (confirmation.GetProperty("split").GetString(), confirmation.GetProperty("pairs").GetInt32()));
        // Differences 0.04, 0.03, 0.04 on seeds 1, 2, 3: mean 0.0367, SE 0.0033, t 11 on 2 df; one challenger, so Holm keeps p.
        var gain = confirmation.GetProperty("gain").GetDouble();
        Assert.Equal(0.11 / 3, gain, 12);
        Assert.Equal(confirmation.GetProperty("p_value").GetDouble(), confirmation.GetProperty("p_adjusted").GetDouble());
        Assert.InRange(confirmation.GetProperty("p_adjusted").GetDouble(), 0.001, 0.05);
        var ci = confirmation.GetProperty("ci95").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(2, ci.Count);
        Assert.True(ci[0] > 0 && ci[0] < gain && gain < ci[1], $"[{ci[0]}, {ci[1]}] around {gain}");
        Assert.True(confirmation.GetProperty("beyond_noise").GetBoolean());
        var comparison = Assert.Single(confirmation.GetProperty("comparisons").EnumerateArray());
        Assert.Equal("power:1", comparison.GetProperty("objective").GetString());
        Assert.Equal([1, 2, 3], confirmation.GetProperty("configurations")[0].GetProperty("seeds").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Fact]
    public void Progress_counts_the_search_budget_and_the_confirmation_apart()
    {
        var status = StatusSamples.ConfirmedOnTest();
        var json = JsonLine.Of(SearchStatusView.ToJson(status));
        Assert.Equal((2, 2), (json.GetProperty("trials_done").GetInt32(), json.GetProperty("trial_budget").GetInt32()));
        Assert.Equal((6, 6), (json.GetProperty("confirm_done").GetInt32(), json.GetProperty("confirm_trials").GetInt32()));
        Assert.Equal("2/2 search, 6/6 confirmation", SearchStatusView.Progress(status));
        // Before the confirmation is planned, it is counted as what it will be at most: (K + 1) x seeds.
        var running = status with { State = StudyState.Running, Trials = status.Trials.Take(1).ToList() };
        Assert.Equal("1/2 search, 0/6 confirmation", SearchStatusView.Progress(running));
        Assert.Equal("0/12 search", SearchStatusView.Progress(StatusSamples.JustStarted()));
    }

    [Fact]
    public void A_simulated_study_is_marked_a_dry_run_in_status_and_list()
    {
        var dry = StatusSamples.Completed() with { Workload = "simulated:2" };
        var writer = new StringWriter();
        Client.Commands.ClusterCommandLine.AnsiFor(writer).Write(SearchStatusView.Render(dry));
        Assert.Contains("a dry run", writer.ToString());
        Assert.Contains("simulated:2", writer.ToString());
        var listed = JsonLine.Of(new SearchCommand.ListJson([SearchCommand.Summarize(dry)])).GetProperty("studies")[0];
        Assert.Equal("simulated:2", listed.GetProperty("workload").GetString());
        Assert.Equal(("power:10", false), (listed.GetProperty("answer").GetString(), listed.GetProperty("confirmed").GetBoolean()));
    }
}
