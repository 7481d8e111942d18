using BeyondNll.Search.Importance;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Tests;

/// <summary>
/// fANOVA importance on functions whose variance decomposition is known in closed form: with the
/// parameters uniform over their ranges, an additive function's shares are its terms' variances over
/// the total; a product's main effects leave a known part to the interaction.
/// </summary>
public class ImportanceTests
{
    static SearchSpace Space(string parameters) => SearchSpace.FromJson($$"""{"params":[{{parameters}}]}""");

    static readonly SearchSpace Unit3 = Space("""
        {"name":"x1","type":"float","low":0,"high":1},{"name":"x2","type":"float","low":0,"high":1},{"name":"x3","type":"float","low":0,"high":1}
        """);

    /// <summary>Trials at points uniform over the space (log-uniform on a log scale), valued by f.</summary>
    static List<TrialRecord> Trials(SearchSpace space, int n, Func<IReadOnlyDictionary<string, double>, double> f, ulong seed = 1)
    {
        var random = new SeededRandom(seed);
        var trials = new List<TrialRecord>();
        for (var i = 0; i < n; i++)
        {
            var p = new Dictionary<string, double>();
            foreach (var s in space.Parameters)
            {
                p[s.Name] = s.Kind == ParameterKind.Categorical ? random.NextLong(s.Choices.Count)
                    : s.Log ? Math.Pow(10, random.Uniform(Math.Log10(s.Low), Math.Log10(s.High)))
                    : random.Uniform(s.Low, s.High);
            }
            trials.Add(new TrialRecord(i, p, TrialState.Complete, f(p)));
        }
        return trials;
    }

    [Fact]
    public void Additive_function_shares_are_its_terms_variances()
    {
        // Var(3 x1) = 9/12, Var(x2) = 1/12, x3 unused: shares 0.9, 0.1, 0.
        var shares = FanovaImportance.Evaluate(Unit3, Trials(Unit3, 400, p => 3 * p["x1"] + p["x2"]));
        Assert.Equal(0.9, shares["x1"], 0.04);
        Assert.Equal(0.1, shares["x2"], 0.04);
        Assert.True(shares["x3"] < 0.02, $"x3, which f ignores, got {shares["x3"]:F3}");
        Assert.Equal(1.0, shares.Values.Sum(), 1e-9);
        Assert.Equal(["x1", "x2", "x3"], shares.Keys); // most important first
    }

    [Fact]
    public void Log_parameters_are_assessed_on_their_log_scale()
    {
        // Over log10(lr) uniform in [-5, -1]: Var(log10 lr) = 16/12; Var(2 x) = 4/12: shares 0.8 and 0.2.
        // On a linear scale lr would look nearly constant over most of its range and get far less.
        var space = Space("""{"name":"lr","type":"float","low":1e-5,"high":1e-1,"log":true},{"name":"x","type":"float","low":0,"high":1}""");
        var shares = FanovaImportance.Evaluate(space, Trials(space, 400, p => Math.Log10(p["lr"]) + 2 * p["x"]));
        Assert.Equal(0.8, shares["lr"], 0.04);
        Assert.Equal(0.2, shares["x"], 0.04);
    }

    [Fact]
    public void Categorical_parameters_are_split_into_sets_of_choices()
    {
        // Effects 0, 0.5, 1 of three equally likely choices: variance 1/6; Var(x) = 1/12: shares 2/3 and 1/3.
        var space = Space("""{"name":"family","type":"categorical","choices":["nll","power","top-p"]},{"name":"x","type":"float","low":0,"high":1}""");
        double[] effect = [0, 0.5, 1];
        var shares = FanovaImportance.Evaluate(space, Trials(space, 300, p => effect[(int)p["family"]] + p["x"]));
        Assert.Equal(2.0 / 3, shares["family"], 0.04);
        Assert.Equal(1.0 / 3, shares["x"], 0.04);
    }

    [Fact]
    public void Main_effects_of_a_product_leave_its_interaction_out()
    {
        // f = x1 x2: Var f = 7/144; each main effect (x/2) has variance 3/144, the interaction 1/144.
        var trials = Trials(Unit3, 500, p => p["x1"] * p["x2"]);
        var features = Unit3.Parameters.Select(ImportanceFeature.Of).ToList();
        var x = trials.Select(t => Unit3.Parameters.Select(p => t.Params[p.Name]).ToArray()).ToArray();
        var raw = FanovaImportance.Shares(features, x, trials.Select(t => t.Value!.Value).ToArray(), new FanovaOptions());
        Assert.Equal(3.0 / 7, raw[0], 0.04);
        Assert.Equal(3.0 / 7, raw[1], 0.04);
        Assert.True(raw[2] < 0.01, $"x3 got {raw[2]:F3}");
    }

    [Fact]
    public void A_parameter_the_value_ignores_gets_almost_nothing_even_among_noise()
    {
        var noise = new SeededRandom(9);
        var shares = FanovaImportance.Evaluate(Unit3, Trials(Unit3, 200, p => p["x1"] + 0.05 * noise.NextGaussian()));
        Assert.True(shares["x1"] > 0.9, $"x1 got {shares["x1"]:F3}");
    }

    [Fact]
    public void Only_completed_trials_with_every_assessed_parameter_count()
    {
        var space = Space("""
            {"name":"family","type":"categorical","choices":["nll","power"]},
            {"name":"k","type":"float","low":0.1,"high":10,"log":true,"when":{"family":["power"]}},
            {"name":"lr","type":"float","low":0.0001,"high":0.01,"log":true}
            """);
        var trials = Trials(space, 60, p => Math.Log10(p["lr"]));
        // k exists only for the power family: like Optuna, it is assessed once every trial has it.
        var mixed = trials.Select(t => (int)t.Params["family"] == 0
            ? new TrialRecord(t.Number, t.Params.Where(kv => kv.Key != "k").ToDictionary(), TrialState.Complete, t.Value) : t).ToList();
        Assert.Equal(["lr", "family"], FanovaImportance.Evaluate(space, mixed).Keys);
        var power = trials.Where(t => (int)t.Params["family"] == 1).ToList();
        Assert.Contains("k", FanovaImportance.Evaluate(space, power).Keys);

        // Pruned and running trials are left out; too few or constant values give nothing.
        var pruned = trials.Take(1).Concat(trials.Skip(1).Select(t => new TrialRecord(t.Number, t.Params, TrialState.Pruned, t.Value))).ToList();
        Assert.Empty(FanovaImportance.Evaluate(space, pruned));
        Assert.Empty(FanovaImportance.Evaluate(space, trials.Select(t => new TrialRecord(t.Number, t.Params, TrialState.Complete, 0.5)).ToList()));
    }

    [Fact]
    public void The_same_seed_gives_the_same_shares()
    {
        var trials = Trials(Unit3, 80, p => p["x1"] + p["x2"] * p["x3"]);
        Assert.Equal(FanovaImportance.Evaluate(Unit3, trials), FanovaImportance.Evaluate(Unit3, trials));
        Assert.NotEqual(FanovaImportance.Evaluate(Unit3, trials, new FanovaOptions { Seed = 1 })["x1"],
            FanovaImportance.Evaluate(Unit3, trials, new FanovaOptions { Seed = 2 })["x1"]);
    }

    [Fact]
    public void A_tree_predicts_the_mean_of_each_box_and_its_boxes_tile_the_domain()
    {
        var features = new[] { new ImportanceFeature("x", 0, 1, 0), new ImportanceFeature("c", 0, 3, 3) };
        double[][] x = [[0.1, 0], [0.2, 1], [0.8, 0], [0.9, 2]];
        double[] y = [1, 1, 5, 7];
        var tree = RegressionTree.Fit(features, x, y, [0, 1, 2, 3], maxDepth: 64);
        Assert.Equal(1, tree.Predict([0.15, 2]));
        Assert.Equal(5, tree.Predict([0.82, 0]));
        Assert.Equal(7, tree.Predict([1.0, 2]));
        var volume = tree.Leaves.Sum(l => (l.High[0] - l.Low[0]) * ulong.PopCount(l.Choices[1]) / 3.0);
        Assert.Equal(1.0, volume, 1e-12);
    }
}
