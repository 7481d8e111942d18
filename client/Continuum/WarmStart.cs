using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using BeyondNll.Studies;
using BeyondNll.Search.Continuum;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Client.Continuum;

/// <summary>
/// `bnll search start --warm-start continuum`: the backbone is placed on the continuum (its probe on
/// this data, by the backbone grain) and the winners of its neighbours there, with the fit's
/// recommendation first, are enqueued right after the NLL baseline, ahead of the user's own guesses.
/// </summary>
public static class WarmStart
{
    public static async Task<StudyRequest> ApplyAsync(IGrainFactory grains, StudyRequest request, TextWriter say, CancellationToken ct)
    {
        var dataset = StudyRequestValidator.DatasetName(request.TrainPath);
        var backbone = await ClusterRetry.Query(() => grains.GetGrain<IBackboneGrain>(request.Backbone).Get(), ct)
            ?? throw new ArgumentException($"no backbone named '{request.Backbone}'; add it with `bnll backbone add {request.Backbone} --path DIR`");
        var entries = await ClusterRetry.Query(() => grains.GetGrain<IContinuumGrain>(0).List(), ct);
        var points = ContinuumPoints.For(entries.Where(e => e.Backbone != request.Backbone), dataset, request.Metric, out _);
        if (points.Count == 0)
        {
            say.WriteLine("warm start: the continuum has no points yet; the search starts cold");
            return request;
        }
        // The backbone grain's probe (stored, else measured on a device slot and stored): the study's own finds it there.
        var probe = await grains.GetGrain<IBackboneGrain>(request.Backbone).Probe(
            new ProbeRequest(request.TrainPath, dataset, request.PromptKey, request.ResponseKey, request.Recipe!.MaxLength));
        var recommendation = ContinuumFit.Recommend(points, probe.MeanP);
        var winners = new[] { recommendation.Objective }.Concat(recommendation.Neighbours.Select(n => n.Winner))
            .Where(o => o != Objective.Nll.Spec).Concat(request.Enqueue).Distinct().ToList();
        say.WriteLine($"warm start: {request.Backbone} at mean p {probe.MeanP:F3}; enqueued {(winners.Count == 0 ? "nothing (its neighbours' winner is NLL, the baseline)" : string.Join(", ", winners))}");
        return request with { Enqueue = winners };
    }
}
