using BeyondNll.Search.Samplers;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Tests;

public class GridSamplerTests
{
    static readonly SearchSpace Conditional = SearchSpace.FromJson("""
        {"params": [
          {"name": "family", "type": "categorical", "choices": ["nll", "power", "top-p"]},
          {"name": "k", "type": "categorical", "choices": [1, 10], "when": {"family": ["power"]}},
          {"name": "q", "type": "float", "low": 0.1, "high": 0.5, "step": 0.2, "when": {"family": ["top-p"]}},
          {"name": "warmup", "type": "int", "low": 0, "high": 2}
        ]}
        """);

    [Fact]
    public void Every_combination_of_the_tree_is_asked_once_then_the_grid_is_exhausted()
    {
        var grid = new GridSampler(Conditional, seed: 4);
        // (nll + power × 2 k + top-p × 3 q) × 3 warmup = 6 × 3
        Assert.Equal(18, grid.Size);

        var seen = new HashSet<string>();
        for (var i = 0; i < 18; i++)
        {
            var t = grid.Ask();
            SamplingTests.AssertValid(Conditional, t.Params);
            Assert.True(seen.Add(string.Join(",", t.Params.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))));
            if (i % 3 == 0) grid.TellFailed(t.Number); // failed combinations are not retried
        }

        Assert.Equal("the grid is exhausted: all 18 combinations have been asked",
            Assert.Throws<InvalidOperationException>(() => grid.Ask()).Message);
    }

    [Fact]
    public void The_paper_grid_visits_each_paper_objective_once()
    {
        var space = NamedSpaces.CreatePaperGrid();
        var grid = new GridSampler(space, seed: 0);

        var objectives = Enumerable.Range(0, grid.Size)
            .Select(_ => space["objective"].Choices[(int)grid.Ask().Params["objective"]].GetString())
            .ToList();

        Assert.Equal(NamedSpaces.PaperObjectives.Order(), objectives.Order());
    }

    [Fact]
    public void An_enqueued_combination_counts_as_visited()
    {
        var grid = new GridSampler(NamedSpaces.CreatePaperGrid(), seed: 0);
        grid.Enqueue(new Dictionary<string, double> { ["objective"] = 0 });

        var first = grid.Ask();
        var rest = Enumerable.Range(0, grid.Size - 1).Select(_ => grid.Ask().Params["objective"]).ToList();

        Assert.Equal(0, first.Params["objective"]);
        Assert.DoesNotContain(0.0, rest);
    }

    [Fact]
    public void The_visiting_order_depends_on_the_seed_only()
    {
        static string Order(long seed)
        {
            var grid = new GridSampler(Conditional, seed: seed);
            return string.Join(";", Enumerable.Range(0, grid.Size).Select(_ => string.Join(",", grid.Ask().Params.Values)));
        }

        Assert.Equal(Order(1), Order(1));
        Assert.NotEqual(Order(1), Order(2));
    }

    [Fact]
    public void A_continuous_float_cannot_be_gridded()
    {
        var space = SearchSpace.FromJson("""{"params":[{"name":"x","type":"float","low":0,"high":1}]}""");

        var e = Assert.Throws<ArgumentException>(() => new GridSampler(space));

        Assert.Equal("parameter 'x': a grid needs a step for a float (or make it categorical)", e.Message);
    }
}
