using BeyondNll.Search.Samplers;
using BeyondNll.Search.Samplers.Gp;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Tests;

/// <summary>The parts of the GP sampler: the encoding of a mixed space, the model, its fit, the acquisition.</summary>
public class GpModelTests
{
    readonly SpaceEncoding _encoding = new(SamplingTests.Mixed);

    [Fact]
    public void A_trial_encodes_to_unit_coordinates_and_back_with_inactive_parameters_at_their_stand_ins()
    {
        // family = power: k active, q inactive; layers on its grid of 2; batch on a log axis.
        var trial = new Dictionary<string, double> { ["family"] = 1, ["k"] = 1.0, ["lr"] = 1e-4, ["layers"] = 6, ["batch"] = 16 };

        var x = _encoding.Encode(trial);

        Assert.Equal(1, x[0]);
        Assert.Equal(0.5, x[1], 12);                       // k = 1 is the geometric middle of [0.05, 20]
        Assert.Equal(SpaceEncoding.InactiveNumeric, x[2]); // q does not exist for power
        Assert.Equal(0.5, x[3], 12);                       // lr = 1e-4 is the geometric middle of [1e-5, 1e-3]
        var decoded = _encoding.Decode(x);
        Assert.Equal(trial.Keys.Order(), decoded.Keys.Order());
        foreach (var (name, value) in trial)
            Assert.Equal(value, decoded[name], 9);
    }

    [Fact]
    public void A_neighbour_is_a_valid_trial_and_a_parameter_made_active_by_a_changed_choice_is_drawn()
    {
        var rng = new SeededRandom(3);
        var nll = _encoding.Encode(new Dictionary<string, double> { ["family"] = 0, ["lr"] = 1e-4, ["layers"] = 6, ["batch"] = 16 });
        var empty = new Dictionary<string, double>();
        var seenK = new HashSet<double>();
        for (var i = 0; i < 200; i++)
        {
            var neighbour = _encoding.Neighbour(nll, rng, 0.1, 1.0, empty);
            var trial = _encoding.Decode(neighbour);
            SamplingTests.AssertValid(SamplingTests.Mixed, trial);
            Assert.NotEqual(0, trial["family"]); // flip probability 1: always another family
            if (trial.TryGetValue("k", out var k)) seenK.Add(Math.Round(k, 3));
        }
        Assert.True(seenK.Count > 50, "k is drawn afresh, not left at its stand-in");
        var pinned = _encoding.Decode(_encoding.Neighbour(nll, rng, 0.3, 1.0, new Dictionary<string, double> { ["family"] = 2, ["q"] = 0.3 }));
        Assert.Equal(2, pinned["family"]);
        Assert.Equal(0.3, pinned["q"], 12);
    }

    [Fact]
    public void A_numeric_coordinate_lies_on_a_half_circle_close_values_as_on_the_line_the_ends_nearer()
    {
        var kernel = new MixedKernel([false, true], [1.0, 1.0], 1.0, 0.0);

        Assert.Equal(0.01, kernel.SquaredDifference(0, 0.3, 0.4), 3);                      // a short chord: the arc
        Assert.Equal(4 / (Math.PI * Math.PI), kernel.SquaredDifference(0, 0.0, 1.0), 12); // the ends: the diameter 2/π
        Assert.Equal(kernel.SquaredDifference(0, 0.9, 0.2), kernel.SquaredDifference(0, 0.2, 0.9), 15);
        var growing = Enumerable.Range(0, 11).Select(i => kernel.SquaredDifference(0, 0.0, i / 10.0)).ToArray();
        Assert.True(growing.Zip(growing.Skip(1)).All(pair => pair.First < pair.Second), "farther values are farther apart");
        Assert.Equal(1.0, kernel.SquaredDifference(1, 2, 3)); // a categorical: only same or different

        // Chords are distances between points of a plane, so any set of trials, the axis's ends
        // included, has a positive definite covariance.
        var rng = new SeededRandom(11);
        var points = Enumerable.Range(0, 40)
            .Select(i => new[] { i < 2 ? i : rng.NextDouble(), rng.NextLong(3) }).ToArray();
        Assert.NotNull(GaussianProcess.TryCreate(new MixedKernel([false, true], [0.5, 0.2], 1.0, 0.5), 1e-9, points, new double[40]));
    }

    [Fact]
    public void The_kernel_fit_gives_an_irrelevant_parameter_a_longer_length_scale()
    {
        var rng = new SeededRandom(7);
        var points = Enumerable.Range(0, 30).Select(_ => new[] { rng.NextDouble(), rng.NextDouble() }).ToArray();
        var values = ValueWarping.Standardise(points.Select(p => Math.Sin(6 * p[0])).ToArray());

        var gp = KernelFit.Fit([false, false], points, values, new GpOptions());

        // Weights are 1/ℓ²: the first coordinate explains everything, the second nothing.
        Assert.True(gp.Kernel.Weights[0] > 20 * gp.Kernel.Weights[1], $"weights {gp.Kernel.Weights[0]}, {gp.Kernel.Weights[1]}");
        var (mean, variance) = (new double[1], new double[1]);
        gp.Predict([[0.25, 0.9]], mean, variance);
        var expected = (Math.Sin(1.5) - points.Average(p => Math.Sin(6 * p[0]))) /
                       Math.Sqrt(points.Select(p => Math.Sin(6 * p[0])).Select(v => v * v).Average() - Math.Pow(points.Average(p => Math.Sin(6 * p[0])), 2));
        Assert.Equal(expected, mean[0], 1);
    }

    [Theory]
    [InlineData(0.0, 1.0, 0.0)]     // EI of N(0, 1) below 0 is φ(0) = 0.3989
    [InlineData(1.0, 0.25, 0.0)]    // far above the best
    [InlineData(-0.5, 4.0, 0.0)]    // below the best: EI > best − μ
    public void Expected_improvement_matches_its_closed_form(double mean, double variance, double best)
    {
        var sigma = Math.Sqrt(variance);
        var z = (best - mean) / sigma;
        var cdf = MathNet.Numerics.Distributions.Normal.CDF(0, 1, z);
        var pdf = MathNet.Numerics.Distributions.Normal.PDF(0, 1, z);
        var expected = sigma * (z * cdf + pdf);

        Assert.Equal(Math.Log(expected), ExpectedImprovement.Log(mean, variance, best), 9);
    }

    [Fact]
    public void Log_expected_improvement_still_ranks_candidates_where_expected_improvement_underflows()
    {
        var values = new[] { 30.0, 35.0, 40.0 }.Select(m => ExpectedImprovement.Log(m, 1.0, 0.0)).ToArray();

        Assert.All(values, v => Assert.True(double.IsFinite(v)));
        Assert.True(values[0] > values[1] && values[1] > values[2]);
        Assert.Equal(-450.0 - 0.919 - 2 * Math.Log(30), values[0], 0); // log φ(30) − 2 log 30, the asymptote
    }

    [Theory]
    [InlineData(ValueWarp.None)]
    [InlineData(ValueWarp.YeoJohnson)]
    [InlineData(ValueWarp.Rank)]
    public void Warping_keeps_the_order_of_the_values_and_standardises_them(ValueWarp warp)
    {
        double[] values = [0.4, 250, 3, 0.41, 17, 1e4, 0.5, 2];

        var warped = ValueWarping.Apply(warp, values);

        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        for (var i = 1; i < order.Length; i++)
            Assert.True(warped[order[i]] > warped[order[i - 1]]);
        Assert.Equal(0, warped.Average(), 9);
        Assert.Equal(1, warped.Select(v => v * v).Average(), 9);
    }

    [Fact]
    public void A_pruned_trial_takes_the_final_value_at_the_quantile_it_held_among_complete_trials_at_its_step()
    {
        var history = new TrialHistory();
        void Add(double? final, params (int Step, double Value)[] reports)
        {
            var t = new TrialRecord(history.Count, new Dictionary<string, double> { ["x"] = history.Count });
            foreach (var (step, v) in reports) t.Report(step, v);
            if (final is { } f) t.Finish(TrialState.Complete, f); else t.Finish(TrialState.Pruned);
            history.Add(t);
        }
        Add(1.0, (10, 1.5));
        Add(2.0, (10, 2.5));
        Add(3.0, (10, 3.5));
        Add(null, (10, 2.0));  // better than one of three at step 10: the final value at quantile 2/3
        Add(null, (10, 9.0));  // worse than all: the worst final value
        Add(null, (5, 0.1));   // no complete trial reported step 5: the worst final value

        var observations = GpObservations.From(history, StudyDirection.Minimize);

        Assert.Equal([1.0, 2.0, 3.0, 2.0, 3.0, 3.0], observations.Values);
    }

    [Fact]
    public void The_count_of_trials_with_a_value_is_what_the_observations_hold()
    {
        var history = new TrialHistory();
        void Add(TrialState state, double? value = null)
        {
            var t = new TrialRecord(history.Count, new Dictionary<string, double> { ["x"] = history.Count });
            if (state != TrialState.Running) t.Finish(state, value);
            history.Add(t);
        }
        Add(TrialState.Pruned);
        Add(TrialState.Running);
        Assert.Equal(0, GpObservations.CountIn(history)); // a pruned trial needs a complete one to be valued
        Assert.Equal(GpObservations.From(history, StudyDirection.Minimize).Count, GpObservations.CountIn(history));

        Add(TrialState.Complete, 1.0);
        Add(TrialState.Failed);
        Add(TrialState.Pruned);
        Assert.Equal(3, GpObservations.CountIn(history));
        Assert.Equal(GpObservations.From(history, StudyDirection.Minimize).Count, GpObservations.CountIn(history));
    }
}
