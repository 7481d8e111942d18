using BeyondNll.Search.Samplers;
using BeyondNll.Search.Samplers.Tpe;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Tests;

/// <summary>Behaviour every sampler owes its user: valid parameters, only the active ones, reproducible.</summary>
public class SamplingTests
{
    internal static readonly SearchSpace Mixed = SearchSpace.FromJson("""
        {"params": [
          {"name": "family", "type": "categorical", "choices": ["nll", "power", "top-p"]},
          {"name": "k", "type": "float", "low": 0.05, "high": 20, "log": true, "when": {"family": ["power"]}},
          {"name": "q", "type": "float", "low": 0.0, "high": 1.0, "step": 0.1, "when": {"family": ["top-p"]}},
          {"name": "lr", "type": "float", "low": 1e-5, "high": 1e-3, "log": true},
          {"name": "layers", "type": "int", "low": 2, "high": 12, "step": 2},
          {"name": "batch", "type": "int", "low": 1, "high": 256, "log": true}
        ]}
        """);

    /// <summary>A made-up objective over <see cref="Mixed"/>, so TPE has something to model.</summary>
    internal static double MixedObjective(IReadOnlyDictionary<string, double> p)
    {
        var v = Math.Pow(Math.Log10(p["lr"]) + 4, 2) + Math.Abs(p["layers"] - 6) / 4 + Math.Abs(Math.Log2(p["batch"]) - 5) / 5;
        return p["family"] switch
        {
            1 => v + Math.Pow(Math.Log10(p["k"]), 2),
            2 => v + Math.Abs(p["q"] - 0.3),
            _ => v + 1,
        };
    }

    public static TheoryData<string, bool> Samplers => new()
    {
        { "random", false }, { "tpe", false }, { "tpe", true }, { "gp", false },
    };

    [Theory]
    [MemberData(nameof(Samplers))]
    public void Every_parameter_stays_in_bounds_on_its_grid_and_exists_only_when_active(string name, bool multivariate)
    {
        var sampler = SamplerFactory.Create(name, Mixed, StudyDirection.Minimize, seed: 7, multivariate: multivariate);

        for (var i = 0; i < 60; i++)
        {
            var trial = sampler.Ask();
            AssertValid(Mixed, trial.Params);
            sampler.Tell(trial.Number, MixedObjective(trial.Params));
        }
    }

    internal static void AssertValid(SearchSpace space, IReadOnlyDictionary<string, double> parameters)
    {
        foreach (var p in space.Parameters)
        {
            var active = SearchSpace.IsActive(p, parameters);
            Assert.Equal(active, parameters.ContainsKey(p.Name));
            if (active)
                Assert.True(p.Contains(parameters[p.Name]), $"{p.Name} = {parameters[p.Name]} outside {p.DescribeDomain()}");
        }
    }

    [Fact]
    public void Log_parameters_are_spread_evenly_over_orders_of_magnitude()
    {
        var sampler = new RandomSampler(Mixed, seed: 3);
        var belowGeometricMiddle = 0;
        const int n = 400;
        for (var i = 0; i < n; i++)
            if (sampler.Ask().Params["lr"] < 1e-4)
                belowGeometricMiddle++;

        // Uniform on the log axis puts half below 1e-4; uniform on the plain axis would put 9%.
        Assert.InRange(belowGeometricMiddle, n * 0.4, n * 0.6);
    }

    [Theory]
    [MemberData(nameof(Samplers))]
    public void The_same_seed_gives_the_same_sequence_and_another_seed_another(string name, bool multivariate)
    {
        static List<string> Run(string name, bool multivariate, long seed)
        {
            var sampler = SamplerFactory.Create(name, Mixed, StudyDirection.Minimize, seed, multivariate: multivariate);
            var seen = new List<string>();
            for (var i = 0; i < 25; i++)
            {
                var t = sampler.Ask();
                seen.Add(string.Join(",", t.Params.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value:R}")));
                sampler.Tell(t.Number, MixedObjective(t.Params));
            }
            return seen;
        }

        Assert.Equal(Run(name, multivariate, 11), Run(name, multivariate, 11));
        Assert.NotEqual(Run(name, multivariate, 11), Run(name, multivariate, 12));
    }

    [Fact]
    public void A_sampler_rebuilt_from_the_stored_history_suggests_what_the_original_would()
    {
        var original = new TpeSampler(Mixed, seed: 5);
        for (var i = 0; i < 20; i++)
        {
            var t = original.Ask();
            original.Tell(t.Number, MixedObjective(t.Params));
        }
        var stored = original.History.Trials
            .Select(t => new TrialRecord(t.Number, new Dictionary<string, double>(t.Params), t.State, t.Value));
        var rebuilt = new TpeSampler(Mixed, seed: 5, history: new TrialHistory(stored));

        Assert.Equal(original.Ask().Params, rebuilt.Ask().Params);
    }

    [Fact]
    public void Enqueued_trials_run_first_and_missing_active_parameters_are_sampled()
    {
        var sampler = new TpeSampler(Mixed, seed: 1);
        sampler.Enqueue(new Dictionary<string, double> { ["family"] = 0, ["lr"] = 1e-4, ["layers"] = 4, ["batch"] = 32 });
        sampler.Enqueue(new Dictionary<string, double> { ["family"] = 1, ["k"] = 10 });

        var first = sampler.Ask();
        var second = sampler.Ask();

        Assert.Equal(new Dictionary<string, double> { ["family"] = 0, ["lr"] = 1e-4, ["layers"] = 4, ["batch"] = 32 }, first.Params);
        Assert.Equal(1, second.Params["family"]);
        Assert.Equal(10, second.Params["k"]);
        AssertValid(Mixed, second.Params);
    }

    [Theory]
    [InlineData("depth", 3, "parameter 'depth' is not in the search space")]
    [InlineData("layers", 5, "parameter 'layers': 5 is outside an int in [2, 12] with step 2")]
    [InlineData("k", 1, "parameter 'k' is not active for the other values given")]
    public void An_invalid_enqueue_is_rejected(string name, double value, string expected)
    {
        var sampler = new RandomSampler(Mixed);

        var e = Assert.Throws<ArgumentException>(() => sampler.Enqueue(new Dictionary<string, double> { [name] = value, ["family"] = 0 }));

        Assert.StartsWith(expected, e.Message);
    }

    [Theory]
    [InlineData(StudyDirection.Minimize, 1.0)]
    [InlineData(StudyDirection.Maximize, 3.0)]
    public void Best_follows_the_direction_and_ignores_failed_and_pruned_trials(StudyDirection direction, double expected)
    {
        var sampler = new RandomSampler(Mixed, direction);
        foreach (var value in new[] { 2.0, 1.0, 3.0 })
            sampler.Tell(sampler.Ask().Number, value);
        sampler.TellFailed(sampler.Ask().Number);
        var pruned = sampler.Ask();
        sampler.Report(pruned.Number, 0, direction == StudyDirection.Minimize ? -100 : 100);
        sampler.TellPruned(pruned.Number);

        Assert.Equal(expected, sampler.Best!.Value);
    }

    [Fact]
    public void Telling_a_trial_twice_or_one_never_asked_is_an_error()
    {
        var sampler = new RandomSampler(Mixed);
        var t = sampler.Ask();
        sampler.Tell(t.Number, 1);

        Assert.Equal("trial 0 is already complete; cannot tell it again",
            Assert.Throws<InvalidOperationException>(() => sampler.TellFailed(t.Number)).Message);
        Assert.Equal("trial 5 was never asked", Assert.Throws<KeyNotFoundException>(() => sampler.Tell(5, 1)).Message);
    }

    [Fact]
    public void A_nan_value_marks_the_trial_failed()
    {
        var sampler = new RandomSampler(Mixed);
        var t = sampler.Ask();

        sampler.Tell(t.Number, double.NaN);

        Assert.Equal(TrialState.Failed, t.State);
        Assert.Null(sampler.Best);
    }
}
