using System.Globalization;
using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using BeyondNll.Studies;
using BeyondNll.Search.Continuum;
using BeyondNll.Search.Spaces;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Client.Continuum;

/// <summary>
/// `bnll search start --warm-start continuum`: the backbone is placed on the continuum (its probe on
/// this data, by the backbone grain) and the winners of its neighbours there, with the fit's
/// recommendation first, are enqueued right after the NLL baseline, ahead of the user's own guesses.
/// The rate the recommendation was won at travels too: it joins the rate ladder, so NLL and every
/// enqueued objective run at it as well (no objective gets a rate the others do not) — when the
/// budget has room for another rung.
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
            new ProbeRequest(request.TrainPath, dataset, request.PromptKey, request.ResponseKey, request.Recipe!.MaxLength, request.ValPath));
        var recommendation = ContinuumFit.Recommend(points, probe.MeanP);
        var winners = new[] { recommendation.Objective }.Concat(recommendation.Neighbours.Select(n => n.Winner))
            .Where(o => o != Objective.Nll.Spec).Concat(request.Enqueue).Distinct().ToList();
        var warmed = Fitting(request with { Enqueue = winners }, recommendation.LearningRate, out var rate);
        if (warmed is null)
        {
            say.WriteLine($"warm start: {request.Backbone} at mean p {probe.MeanP:F3}; its neighbours' winners ({string.Join(", ", winners)}) " +
                $"do not fit: {Problem(request with { Enqueue = winners })}; the search starts cold");
            return request;
        }
        say.WriteLine($"warm start: {request.Backbone} at mean p {probe.MeanP:F3}; enqueued " +
            (winners.Count == 0 ? "nothing (its neighbours' winner is NLL, the baseline)" : string.Join(", ", winners)) + rate);
        return warmed;
    }

    /// <summary>The request with the recommendation's rate on its ladder when that passes the study's rules, else without; null when not even that does.</summary>
    static StudyRequest? Fitting(StudyRequest request, double? recommended, out string said)
    {
        said = "";
        var space = SearchSpace.FromJson(request.SpaceJson);
        var ladder = StudyProtocol.Complete(request, space).LearningRates;
        if (recommended is { } lr && !ladder.Contains(lr))
        {
            var withRate = request with { LearningRates = [.. ladder.Append(lr).Order()] };
            var rate = lr.ToString("G3", CultureInfo.InvariantCulture);
            if (Problem(withRate) is not { } problem)
            {
                said = $"; lr {rate} (where it won) joins the rate ladder for every enqueued objective";
                return withRate;
            }
            said = $"; its rate {rate} stays off the ladder ({problem})";
        }
        return Problem(request) is null ? request : null;
    }

    /// <summary>What the study's rules say against the request, or null when it passes.</summary>
    static string? Problem(StudyRequest request)
    {
        try
        {
            StudyRequestValidator.CheckSettings(request);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
