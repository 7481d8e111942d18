using BeyondNll.Search.Samplers;
using BeyondNll.Search.Samplers.Gp;
using BeyondNll.Search.Samplers.Tpe;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Tests;

/// <summary>What the GP sampler owes a study: reproducible, rebuilt from stored trials, aware of
/// conditional parameters and of trials in flight, and better than chance.</summary>
public class GpSamplerTests
{
    static readonly SearchSpace Line = SearchSpace.FromJson("""{"params":[{"name":"x","type":"float","low":0,"high":1}]}""");

    static void Run(ISampler sampler, Func<IReadOnlyDictionary<string, double>, double> f, int trials)
    {
        for (var i = 0; i < trials; i++)
        {
            var t = sampler.Ask();
            sampler.Tell(t.Number, f(t.Params));
        }
    }

    static TrialHistory Copy(TrialHistory history) => new(history.Trials.Select(t =>
    {
        var copy = new TrialRecord(t.Number, new Dictionary<string, double>(t.Params));
        foreach (var (step, value) in t.Intermediate) copy.Report(step, value);
        if (t.State != TrialState.Running) copy.Finish(t.State, t.Value);
        return copy;
    }));

    [Fact]
    public void A_sampler_rebuilt_after_a_restart_with_trials_running_pruned_and_failed_asks_what_the_original_would()
    {
        var original = new GpSampler(SamplingTests.Mixed, seed: 5);
        Run(original, SamplingTests.MixedObjective, 12);
        var pruned = original.Ask();
        original.Report(pruned.Number, 3, 9.0);
        original.TellPruned(pruned.Number);
        original.TellFailed(original.Ask().Number);
        original.Ask(); // still running when the study restarts

        var rebuilt = new GpSampler(SamplingTests.Mixed, seed: 5, history: Copy(original.History));

        Assert.Equal(original.Ask().Params, rebuilt.Ask().Params);
        Assert.Equal(original.Ask().Params, rebuilt.Ask().Params);
    }

    [Fact]
    public void Conditional_parameters_exist_only_in_their_branch_and_the_best_branch_is_found()
    {
        // Power with k near 3 is best; the other families are 0.5 worse at best.
        var sampler = new GpSampler(SamplingTests.Mixed, seed: 3);
        double F(IReadOnlyDictionary<string, double> p) => p["family"] == 1
            ? Math.Pow(Math.Log10(p["k"] / 3), 2) + 0.1 * Math.Pow(Math.Log10(p["lr"]) + 4, 2)
            : 0.5 + 0.1 * Math.Pow(Math.Log10(p["lr"]) + 4, 2);

        for (var i = 0; i < 25; i++)
        {
            var t = sampler.Ask();
            SamplingTests.AssertValid(SamplingTests.Mixed, t.Params);
            sampler.Tell(t.Number, F(t.Params));
        }

        var late = sampler.History.Trials.Skip(15).ToList();
        Assert.True(late.Count(t => t.Params["family"] == 1) >= 7, "the model settles on the best branch");
        Assert.InRange(sampler.Best!.Params["k"], 1.5, 6);
    }

    [Fact]
    public void Trials_in_flight_are_believed_so_concurrent_asks_spread_out()
    {
        var plane = SearchSpace.FromJson("""
            {"params":[{"name":"x","type":"float","low":0,"high":1},{"name":"y","type":"float","low":0,"high":1}]}
            """);
        double MeanDistanceOfConcurrentAsks(bool believe) => Enumerable.Range(0, 4).Average(seed =>
        {
            var sampler = new GpSampler(plane, new GpOptions { BelievePending = believe }, seed: seed);
            Run(sampler, p => Math.Pow(p["x"] - 0.3, 2) + Math.Pow(p["y"] - 0.6, 2), 7);
            var asks = Enumerable.Range(0, 4).Select(_ => sampler.Ask().Params).ToArray();
            return asks.SelectMany((a, i) => asks.Skip(i + 1), (a, b) => Math.Sqrt(Math.Pow(a["x"] - b["x"], 2) + Math.Pow(a["y"] - b["y"], 2))).Average();
        });

        var believed = MeanDistanceOfConcurrentAsks(true);
        var ignored = MeanDistanceOfConcurrentAsks(false);

        Assert.True(believed > 3 * ignored, $"mean distance between concurrent asks: believed {believed}, ignored {ignored}");
    }

    [Fact]
    public void A_believed_point_keeps_the_posterior_mean_and_loses_its_uncertainty()
    {
        var kernel = new MixedKernel([false], [4.0], 1.0, 0.0);
        var gp = GaussianProcess.TryCreate(kernel, 1e-6, [[0.1], [0.9]], [1.0, -1.0])!;
        double[] pending = [0.5];
        var (mean, variance) = (new double[1], new double[1]);
        gp.Predict([pending], mean, variance);

        var believed = gp.WithBelieved([pending]);
        var (mean2, variance2) = (new double[1], new double[1]);
        believed.Predict([pending], mean2, variance2);

        Assert.Equal(mean[0], mean2[0], 6);
        Assert.True(variance[0] > 0.1, $"variance before {variance[0]}");
        Assert.True(variance2[0] < 1e-5, $"variance after {variance2[0]}");
    }

    [Fact]
    public void The_first_trials_come_from_the_design_and_spread_over_the_space()
    {
        var sampler = new GpSampler(Line, new GpOptions { StartupTrials = 8 }, seed: 1);
        var first = Enumerable.Range(0, 8).Select(_ => sampler.Ask().Params["x"]).ToArray();

        // Eight design points fill the eight eighths of [0, 1] once each (the first digit of a
        // base-2 sequence and the next two); eight uniform draws would leave about three empty.
        Assert.Equal(8, first.Select(x => (int)(x * 8)).Distinct().Count());
    }

    [Fact]
    public void With_trials_in_flight_past_the_design_trials_step_from_the_best_so_far_until_the_design_has_its_values()
    {
        // Mixed has 6 parameters: a design of 6 trials. Trials 6 and 7 are asked with 3 and 5
        // values known: too few for the model, so each is a short step from the best trial so far.
        var encoding = new SpaceEncoding(SamplingTests.Mixed);
        int[] alwaysActive = [3, 4, 5]; // lr, layers, batch
        foreach (var seed in Enumerable.Range(0, 10))
        {
            var inFlight = new GpSampler(SamplingTests.Mixed, seed: seed);
            var asked = Enumerable.Range(0, 6).Select(_ => inFlight.Ask()).ToList();
            foreach (var t in asked.Take(3)) inFlight.Tell(t.Number, SamplingTests.MixedObjective(t.Params));
            var best = encoding.Encode(inFlight.Best!.Params);
            var sixth = inFlight.Ask();
            foreach (var t in asked.Skip(3).Take(2)) inFlight.Tell(t.Number, SamplingTests.MixedObjective(t.Params));
            var bestThen = encoding.Encode(inFlight.Best!.Params);
            var seventh = inFlight.Ask();

            Assert.Equal(6, inFlight.StartupTrials);
            foreach (var (step, from) in new[] { (sixth, best), (seventh, bestThen) })
            {
                var at = encoding.Encode(step.Params);
                foreach (var d in alwaysActive)
                    Assert.InRange(Math.Abs(at[d] - from[d]), 0, 0.45); // 4.5 standard deviations of a 0.1 step
            }
        }
    }

    [Fact]
    public void Without_the_step_trials_in_flight_past_the_design_are_the_design_points_a_blind_sampler_asks()
    {
        var options = new GpOptions { ExtensionStep = 0 };
        var inFlight = new GpSampler(SamplingTests.Mixed, options, seed: 4);
        var blind = new GpSampler(SamplingTests.Mixed, options, seed: 4);
        var asked = Enumerable.Range(0, 6).Select(_ => inFlight.Ask()).ToList();
        foreach (var t in asked.Take(3)) inFlight.Tell(t.Number, SamplingTests.MixedObjective(t.Params));
        var sixth = inFlight.Ask();
        var designed = Enumerable.Range(0, 7).Select(_ => blind.Ask().Params).ToList();

        Assert.Equal(designed[6], sixth.Params);
        var beforeSixth = Copy(new TrialHistory(inFlight.History.Trials.Take(6)));
        Assert.NotEqual(designed[6], new GpSampler(SamplingTests.Mixed, seed: 4, history: beforeSixth).Ask().Params); // the default steps
    }

    [Fact]
    public void The_gp_finds_a_narrow_optimum_far_better_than_random_search_over_fixed_seeds()
    {
        var space = SearchSpace.FromJson("""
            {"params":[{"name":"a","type":"float","low":-5,"high":5},{"name":"b","type":"float","low":-5,"high":5},
                       {"name":"n","type":"int","low":1,"high":64,"log":true}]}
            """);
        double F(IReadOnlyDictionary<string, double> p) =>
            Math.Pow(p["a"] - 1.3, 2) + Math.Pow(p["b"] + 2.2, 2) + Math.Pow(Math.Log2(p["n"]) - 3, 2);
        double BestAfter(ISampler s) { Run(s, F, 25); return s.Best!.Value!.Value; }

        var gp = Enumerable.Range(0, 3).Select(s => BestAfter(new GpSampler(space, seed: s))).Max();
        var random = Enumerable.Range(0, 3).Select(s => BestAfter(new RandomSampler(space, seed: s))).Min();

        Assert.True(gp < 0.1 * random, $"worst GP {gp}, best random {random}");
    }

    [Fact]
    public void The_gp_maximises_when_asked_to()
    {
        var sampler = new GpSampler(Line, direction: StudyDirection.Maximize, seed: 2);

        Run(sampler, p => -Math.Abs(p["x"] - 0.8), 15);

        Assert.InRange(sampler.Best!.Params["x"], 0.75, 0.85);
    }

    [Fact]
    public void From_its_threshold_on_tpe_decides_on_the_same_history()
    {
        var options = new GpOptions { TpeFrom = 12 };
        var gp = new GpSampler(SamplingTests.Mixed, options, seed: 8);
        Run(gp, SamplingTests.MixedObjective, 12);
        var tpe = new TpeSampler(SamplingTests.Mixed, options.Tpe, seed: 8, history: Copy(gp.History));

        Assert.Equal(tpe.Ask().Params, gp.Ask().Params);
    }

    [Fact]
    public void Enqueued_values_are_kept_and_the_rest_is_chosen_by_the_model()
    {
        var sampler = new GpSampler(SamplingTests.Mixed, seed: 6);
        Run(sampler, SamplingTests.MixedObjective, 10);
        sampler.Enqueue(new Dictionary<string, double> { ["family"] = 1, ["k"] = 10 });

        var t = sampler.Ask();

        Assert.Equal(1, t.Params["family"]);
        Assert.Equal(10, t.Params["k"]);
        SamplingTests.AssertValid(SamplingTests.Mixed, t.Params);
    }
}
