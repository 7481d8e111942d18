using BeyondNll.Search.Samplers;
using BeyondNll.Search.Samplers.Tpe;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Tests;

public class TpeTests
{
    static readonly SearchSpace Branin = SearchSpace.FromJson("""
        {"params":[{"name":"x1","type":"float","low":-5,"high":10},{"name":"x2","type":"float","low":0,"high":15}]}
        """);

    static double BraninRegret(IReadOnlyDictionary<string, double> p)
    {
        double x1 = p["x1"], x2 = p["x2"];
        double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        return Math.Pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.Cos(x1) + 10 - 0.397887357729738;
    }

    static readonly SearchSpace Sphere = SearchSpace.FromJson($$"""
        {"params":[{{string.Join(",", Enumerable.Range(0, 4).Select(i => $$"""{"name":"x{{i}}","type":"float","low":-5,"high":5}"""))}}]}
        """);

    static double SphereValue(IReadOnlyDictionary<string, double> p) => p.Values.Sum(v => (v - 1) * (v - 1));

    static double BestAfter(ISampler sampler, Func<IReadOnlyDictionary<string, double>, double> f, int trials)
    {
        for (var i = 0; i < trials; i++)
        {
            var t = sampler.Ask();
            sampler.Tell(t.Number, f(t.Params));
        }
        return sampler.Best!.Value!.Value;
    }

    public static TheoryData<string> Problems => ["branin", "sphere", "mixed"];

    [Theory]
    [MemberData(nameof(Problems))]
    public void Tpe_beats_random_search_over_fixed_seeds(string problem)
    {
        var (space, f) = problem switch
        {
            "branin" => (Branin, (Func<IReadOnlyDictionary<string, double>, double>)BraninRegret),
            "sphere" => (Sphere, SphereValue),
            _ => (SamplingTests.Mixed, SamplingTests.MixedObjective),
        };
        var seeds = Enumerable.Range(0, 9).ToArray();

        var tpe = seeds.Select(s => BestAfter(new TpeSampler(space, seed: s), f, 60)).Order().ToArray();
        var random = seeds.Select(s => BestAfter(new RandomSampler(space, seed: s), f, 60)).Order().ToArray();

        Assert.True(tpe[seeds.Length / 2] < random[seeds.Length / 2],
            $"median best: TPE {tpe[seeds.Length / 2]}, random {random[seeds.Length / 2]}");
    }

    [Fact]
    public void Tpe_maximises_when_asked_to()
    {
        var space = SearchSpace.FromJson("""{"params":[{"name":"x","type":"float","low":0,"high":1}]}""");
        var sampler = new TpeSampler(space, direction: StudyDirection.Maximize, seed: 2);

        var best = BestAfter(sampler, p => -Math.Abs(p["x"] - 0.8), 40);

        Assert.True(best > -0.02, $"best {best}");
        var late = sampler.History.Trials.Skip(30).Average(t => t.Params["x"]);
        Assert.InRange(late, 0.6, 1.0);
    }

    [Fact]
    public void The_constant_liar_spreads_concurrent_asks()
    {
        var space = SearchSpace.FromJson("""{"params":[{"name":"x","type":"float","low":0,"high":1}]}""");

        double SpreadOfConcurrentAsks(bool liar)
        {
            var sampler = new TpeSampler(space, new TpeOptions { ConstantLiar = liar }, seed: 3);
            BestAfter(sampler, p => Math.Pow(p["x"] - 0.3, 2), 30);
            var concurrent = Enumerable.Range(0, 8).Select(_ => sampler.Ask().Params["x"]).ToArray();
            return concurrent.SelectMany(a => concurrent, (a, b) => Math.Abs(a - b)).Average();
        }

        var withLiar = SpreadOfConcurrentAsks(true);
        var without = SpreadOfConcurrentAsks(false);

        Assert.True(withLiar > 2 * without, $"mean distance between concurrent asks: liar {withLiar}, no liar {without}");
    }

    [Fact]
    public void Startup_trials_are_sampled_until_ten_trials_have_a_result_failed_ones_not_counting()
    {
        var space = SearchSpace.FromJson("""{"params":[{"name":"x","type":"float","low":0,"high":1}]}""");
        var tpe = new TpeSampler(space, seed: 9);
        var random = new RandomSampler(space, seed: 9);
        for (var i = 0; i < 12; i++)
        {
            var t = tpe.Ask();
            var r = random.Ask();
            Assert.Equal(r.Params["x"], t.Params["x"]); // the startup draws are the random sampler's
            if (i < 4) { tpe.TellFailed(t.Number); random.TellFailed(r.Number); }
            else { tpe.Tell(t.Number, t.Params["x"]); random.Tell(r.Number, r.Params["x"]); }
        }
        // 8 results so far: still random. After two more, TPE takes over and the suggestions differ.
        for (var i = 0; i < 2; i++)
        {
            var t = tpe.Ask();
            Assert.Equal(random.Ask().Params["x"], t.Params["x"]);
            tpe.Tell(t.Number, t.Params["x"]);
            random.Tell(t.Number, t.Params["x"]);
        }
        Assert.NotEqual(random.Ask().Params["x"], tpe.Ask().Params["x"]);
    }

    [Fact]
    public void Trials_are_ranked_complete_then_pruned_by_progress_then_running_and_failed_ones_are_left_out()
    {
        var space = SearchSpace.FromJson("""{"params":[{"name":"x","type":"float","low":0,"high":1}]}""");
        var history = new TrialHistory();
        TrialRecord Add(TrialState state, double? value = null, params (int Step, double Value)[] reports)
        {
            var t = new TrialRecord(history.Count, new Dictionary<string, double> { ["x"] = 0.5 });
            foreach (var (step, v) in reports) t.Report(step, v);
            if (state != TrialState.Running) t.Finish(state, value);
            history.Add(t);
            return t;
        }
        var complete = Enumerable.Range(0, 20).Select(i => Add(TrialState.Complete, 10 + i)).ToList();
        var prunedLate = Add(TrialState.Pruned, null, (1, 0.0), (9, 0.0));   // got to step 9
        var prunedEarly = Add(TrialState.Pruned, null, (1, -50.0));          // better value, but stopped at step 1
        Add(TrialState.Failed);
        var running = Add(TrialState.Running);

        // All but one trial with a result are "good": what is left out shows the bottom of the ranking.
        var split = ObservationSplit.Compute(history, StudyDirection.Minimize, constantLiar: true, n => n - 1);

        Assert.Equal(22, split.CountWithResult);
        Assert.DoesNotContain(split.Trials, t => t.State == TrialState.Failed);
        Assert.Contains(running, split.Trials);
        var notGood = split.Trials.Where((t, i) => !split.IsGood[i]).ToList();
        Assert.Equal([prunedEarly, running], notGood); // the worst with a result, then the running one
        Assert.True(split.IsGood[Array.IndexOf(split.Trials, prunedLate)]);
    }

    [Fact]
    public void The_good_trials_are_the_head_of_the_full_ranking_with_ties_kept_in_trial_order()
    {
        // Few distinct values, so most ranks are ties: the split selects the head without sorting
        // everything, and must pick exactly what a stable sort of all trials would.
        var history = new TrialHistory();
        var rng = new Random(11);
        for (var i = 0; i < 300; i++)
        {
            var t = new TrialRecord(i, new Dictionary<string, double> { ["x"] = rng.NextDouble() });
            if (i % 7 != 3) t.Finish(TrialState.Complete, rng.Next(5));
            history.Add(t);
        }
        var split = ObservationSplit.Compute(history, StudyDirection.Minimize, constantLiar: true, TpeOptions.DefaultGamma);

        var expected = split.Trials.Select((t, i) => (Trial: t, Position: i))
            .OrderBy(e => e.Trial.State == TrialState.Complete ? 0 : 1)
            .ThenBy(e => e.Trial.Value ?? 0)
            .ThenBy(e => e.Position)
            .Take(TpeOptions.DefaultGamma(split.CountWithResult))
            .Select(e => e.Trial.Number);
        var good = split.Trials.Where((_, i) => split.IsGood[i]).Select(t => t.Number);
        Assert.Equal(expected.Order(), good.Order());
    }

    [Fact]
    public void A_history_keeps_each_parameter_as_a_column_by_trial_number_with_gaps_where_a_trial_lacks_it()
    {
        var history = new TrialHistory();
        history.Add(new TrialRecord(0, new Dictionary<string, double> { ["family"] = 0, ["k"] = 2.0 }));
        history.Add(new TrialRecord(1, new Dictionary<string, double> { ["family"] = 1 }));
        history.Add(new TrialRecord(2, new Dictionary<string, double> { ["family"] = 1, ["q"] = 0.3 }));

        Assert.Equal([0.0, 1, 1], history.Column("family").ToArray());
        Assert.Equal([2.0, double.NaN, double.NaN], history.Column("k").ToArray());
        Assert.Equal([double.NaN, double.NaN, 0.3], history.Column("q").ToArray()); // first seen at trial 2
        Assert.True(history.Column("never asked").IsEmpty);

        // TPE models a conditional parameter from the trials where it existed.
        var split = ObservationSplit.Compute(history, StudyDirection.Minimize, constantLiar: true, _ => 1);
        var (good, other) = split.Gather(["family", "q"]);
        Assert.Equal(1, good.Count + other.Count);
        Assert.Equal(0.3, good.Values[1].Concat(other.Values[1]).Single());
    }

    [Fact]
    public void A_history_keeps_each_parameter_in_value_order_with_equal_values_in_trial_order()
    {
        var history = new TrialHistory();
        double?[] n = [3, null, 1, 3, 2, 1, null, 3];
        for (var i = 0; i < n.Length; i++)
            history.Add(new TrialRecord(i, n[i] is { } v
                ? new Dictionary<string, double> { ["n"] = v, ["x"] = 10 - i }
                : new Dictionary<string, double> { ["x"] = 10 - i }));

        Assert.Equal([2, 5, 4, 0, 3, 7], history.ValueOrder("n").ToArray()); // only the trials that have it
        Assert.Equal([7, 6, 5, 4, 3, 2, 1, 0], history.ValueOrder("x").ToArray());
        Assert.True(history.ValueOrder("never asked").IsEmpty);
    }

    [Fact]
    public void Kernels_read_their_value_order_off_the_history_exactly_as_sorting_the_values_gives_it()
    {
        // An integer parameter over many trials: most values are ties, and which of two equal
        // kernels is the wider depends on the tie rule (equal values in trial order) being the same
        // on both paths. Every fifth trial lacks it (the other choice of c), every tenth is still running.
        var space = SearchSpace.FromJson("""
            {"params":[{"name":"c","type":"categorical","choices":["a","b"]},
                       {"name":"n","type":"int","low":1,"high":8,"when":{"c":["a"]}},
                       {"name":"lr","type":"float","low":1e-5,"high":1e-1,"log":true}]}
            """);
        var history = new TrialHistory();
        var rng = new Random(5);
        for (var i = 0; i < 400; i++)
        {
            var p = new Dictionary<string, double> { ["c"] = i % 5 == 4 ? 1 : 0, ["lr"] = Math.Exp(rng.NextDouble() * -11.5) };
            if (p["c"] == 0) p["n"] = rng.Next(1, 9);
            var t = new TrialRecord(i, p);
            if (i % 10 != 7) t.Finish(TrialState.Complete, rng.NextDouble());
            history.Add(t);
        }
        var split = ObservationSplit.Compute(history, StudyDirection.Minimize, constantLiar: true, TpeOptions.DefaultGamma);
        foreach (var name in new[] { "n", "lr" })
        {
            var axis = new ParzenAxis(space[name]);
            var (good, other) = split.Gather([name]);
            Assert.True(other.Count > 250);
            var grid = new[] { Enumerable.Range(0, 41).Select(i => axis.FromAxis(axis.Low + (axis.High - axis.Low) * i / 40)).ToArray() };
            foreach (var observations in new[] { good, other })
            {
                var fromHistory = new ParzenEstimator([axis], observations, new TpeOptions());
                var sorted = new ParzenEstimator([axis], observations.Values, new TpeOptions());
                Assert.Equal(sorted.LogPdf(grid), fromHistory.LogPdf(grid));
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_parzen_density_integrates_to_one_over_the_bounds(bool stepped)
    {
        var spec = stepped ? ParameterSpec.Int("n", 0, 20) : ParameterSpec.Float("x", 0, 20);
        var axis = new ParzenAxis(spec);
        // A grid point's probability is a kernel's mass over its interval: normalised as it is. A
        // continuous kernel is a true density only with the 1/σ that Optuna 3.1 leaves out.
        var options = new TpeOptions { DividePdfByKernelWidth = true };
        var estimator = new ParzenEstimator([axis], [new[] { 0.0, 3, 4, 19 }], options);

        double total;
        if (stepped)
        {
            var points = Enumerable.Range(0, 21).Select(i => (double)i).ToArray();
            total = estimator.LogPdf([points]).Sum(Math.Exp);
        }
        else
        {
            const int n = 20_000;
            var points = Enumerable.Range(0, n).Select(i => (i + 0.5) * 20.0 / n).ToArray();
            total = estimator.LogPdf([points]).Sum(v => Math.Exp(v) * 20.0 / n);
        }

        Assert.Equal(1.0, total, 3);
    }

    [Fact]
    public void A_categorical_parzen_estimator_gives_each_choice_its_mixture_probability()
    {
        var axis = new ParzenAxis(ParameterSpec.Categorical("c", new[] { "a", "b", "c" }));
        var estimator = new ParzenEstimator([axis], [new[] { 0.0, 0, 2 }], new TpeOptions());

        // Three trials and the prior, weight 1/4 each; a trial's kernel puts 1 + 1/4 on its own
        // choice and 1/4 on each other one (normalised by 1.75), the prior 1/3 on every choice.
        double hit = 1.25 / 1.75, miss = 0.25 / 1.75, prior = 1.0 / 3;
        double[] expected = [(hit + hit + miss + prior) / 4, (miss + miss + miss + prior) / 4, (miss + miss + hit + prior) / 4];
        var logs = estimator.LogPdf([new[] { 2.0, 0, 1, 0 }]);
        Assert.Equal(Math.Log(expected[2]), logs[0], 12);
        Assert.Equal(Math.Log(expected[0]), logs[1], 12);
        Assert.Equal(Math.Log(expected[1]), logs[2], 12);
        Assert.Equal(logs[1], logs[3]);
        Assert.Equal(1.0, expected.Sum(), 12);
    }

    [Theory]
    [InlineData(-1.0, 1.0, -0.381715)]     // log 0.682689
    [InlineData(-40.0, -38.0, -726.5572)]  // log Φ(-38): far below what a double can hold outside log space
    [InlineData(5.0, 6.0, -15.06845)]      // log(Φ(-5) − Φ(-6)), right tail
    [InlineData(0.0, 1e-6, -14.73445)]     // a sliver: log(1e-6 · φ(0))
    public void Gaussian_mass_is_right_in_the_middle_and_in_the_tails(double a, double b, double expectedLog)
    {
        Assert.Equal(expectedLog, GaussianMass.LogMass(a, b), 3);
    }
}
