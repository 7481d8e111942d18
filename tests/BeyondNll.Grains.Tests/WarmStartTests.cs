using BeyondNll.Client.Continuum;
using BeyondNll.Studies;

namespace BeyondNll.Grains.Tests;

/// <summary>`bnll search start --warm-start continuum` on a real cluster: the neighbours' winners are tried first.</summary>
public class WarmStartTests
{
    static ContinuumEntry Point(string backbone, string dataset, double meanP, string winner, double gain, double lr = 0) => new()
    {
        WinnerLearningRate = lr,
        Backbone = backbone, Dataset = dataset, Metric = "accuracy", Study = $"study-{backbone}",
        Probe = new ProbeView(meanP, meanP, meanP, 1000, "measured"), Winner = winner, PaperKey = winner,
        Gain = gain, GainStandardError = 0.01, BeyondNoise = true, Confirmed = true, Trials = 8, TrainingSteps = 64,
    };

    [Fact]
    public async Task A_warm_start_enqueues_the_nearest_neighbours_winner_before_the_users_guesses()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:1");
        var request = Studies.Request(data, "warm") with { Enqueue = ["power:1"] };
        var dataset = StudyRequestValidator.DatasetName(request.TrainPath);
        var backbone = cluster.Grains.GetGrain<IBackboneGrain>("micro");
        await backbone.Register(data.Backbone);
        var say = new StringWriter();

        // Nothing measured yet: the search starts cold, with the user's own guesses.
        var cold = await WarmStart.ApplyAsync(cluster.Grains, request, say, CancellationToken.None);
        Assert.Equal(["power:1"], cold.Enqueue);
        Assert.Contains("no points yet", say.ToString());

        var continuum = cluster.Grains.GetGrain<IContinuumGrain>(0);
        await continuum.Record(Point("weak", dataset, 0.1, "nll", -0.05));
        await continuum.Record(Point("strong", dataset, 0.9, "power:10", 0.04, lr: 1e-4));
        // The backbone's own earlier point is not its neighbour.
        await continuum.Record(Point("micro", dataset, 0.8, "top-p:0.5", 0.02));
        // Probed at the study's length (its recipe's max length) and on its held-out data, as the study's own probe is.
        await backbone.RecordProbe(dataset, new ProbeView(0.8, 0.8, 0.8, 1000, "model-strong", request.Recipe!.MaxLength, 0.82));

        var warm = await WarmStart.ApplyAsync(cluster.Grains, request, say, CancellationToken.None);

        // Nearer the strong neighbour: its winner first, NLL (the baseline, trial 0 anyway) not enqueued.
        Assert.Equal(["power:10", "power:1"], warm.Enqueue);
        Assert.Contains("at mean p 0.800; enqueued power:10, power:1", say.ToString());
        // The rate the neighbour's winner won at travels: it joins the ladder, for NLL and every enqueued objective alike.
        Assert.Equal([1e-4, 3e-4], warm.LearningRates);
        Assert.Contains("lr 0.0001 (where it won) joins the rate ladder", say.ToString());
        Assert.Equal(request with { Enqueue = warm.Enqueue, LearningRates = warm.LearningRates }, warm);
    }
}
