using System.Globalization;
using System.Text.Json;
using BeyondNll.Grains;
using BeyondNll.Search.Spaces;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Studies;

/// <summary>
/// The fair protocol of a search, made from its request: which trials are enqueued before the
/// sampler takes over, on which learning rates, in which space, and how long sampling stays random.
/// <list type="bullet">
/// <item>The rate ladder: the NLL baseline and every enqueued objective (the user's --enqueue, a
/// warm start's winners) run once at every rung, NLL's rungs first; no objective gets a rate the
/// others do not. The default ladder is three rungs spanning the space's lr range (its bounds and
/// their geometric mean), or the default range when the space has none.</item>
/// <item>A space without an lr parameter (the paper grid) gets one: a categorical over the ladder,
/// so grid points, and every sampled objective, run on the same rungs.</item>
/// <item>The start-up scales with the budget: for TPE the enqueued trials, then a quarter of the
/// rest at random (at most so many that the start-up stays within Optuna's 10); the GP sampler's
/// own space-filling design is already small (its dimension + 1, within 4 to 6), so it keeps it
/// unless --startup is given; random and grid have no start-up.</item>
/// </list>
/// A study stored before the protocol (an empty ladder) keeps what it had: its baseline and guesses
/// at the recipe's rate, its space as it was, and TPE's 10 start-up trials.
/// </summary>
public sealed class StudyProtocol
{
    /// <summary>Rungs of the default ladder.</summary>
    public const int DefaultRungs = 3;

    /// <summary>Rungs at most: each enqueued objective runs at every one of them.</summary>
    public const int MaxRungs = 10;

    /// <summary>Start-up trials at most when scaled to the budget (Optuna's default).</summary>
    public const int MaxAutoStartup = 10;

    StudyProtocol(IReadOnlyList<double> ladder, SearchSpace space, IReadOnlyList<IReadOnlyDictionary<string, double>> enqueued, int? startup)
    {
        Ladder = ladder;
        Space = space;
        Enqueued = enqueued;
        StartupTrials = startup;
    }

    /// <summary>The learning rates every enqueued objective runs at.</summary>
    public IReadOnlyList<double> Ladder { get; }

    /// <summary>The space the sampler searches: the request's, with an lr over the ladder when it had none.</summary>
    public SearchSpace Space { get; }

    /// <summary>The parameters of the first trials, in order: NLL at each rung, then each enqueued objective at each rung.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Enqueued { get; }

    /// <summary>Trials before the sampler's model takes over, the enqueued ones included; null: the sampler's own (GP's design, or none for random and grid).</summary>
    public int? StartupTrials { get; }

    /// <summary>The protocol of a request whose ladder and start-up are set (see <see cref="Complete"/>), or of a stored legacy one.</summary>
    /// <exception cref="ArgumentException">A rung the space's lr cannot take, or an objective the space cannot express.</exception>
    public static StudyProtocol For(StudyRequest r, SearchSpace space)
    {
        if (r.LearningRates.Count == 0)
        {
            // Stored before the protocol: as it ran then.
            var legacy = new[] { Objective.Nll.Spec }.Concat(r.Enqueue)
                .Select(spec => (IReadOnlyDictionary<string, double>)TrialParameters.ForObjective(space, spec, r.Recipe!.LearningRate)).ToList();
            return new StudyProtocol([r.Recipe!.LearningRate], space, legacy, r.Startup > 0 ? r.Startup : r.Sampler == "tpe" ? MaxAutoStartup : null);
        }
        var ladder = r.LearningRates;
        var searched = WithLadder(space, ladder);
        var enqueued = new List<IReadOnlyDictionary<string, double>>();
        foreach (var spec in new[] { Objective.Nll.Spec }.Concat(r.Enqueue).Distinct())
            foreach (var rate in ladder)
                enqueued.Add(AtRate(searched, spec, rate));
        return new StudyProtocol(ladder, searched, enqueued, r.Startup > 0 ? r.Startup : AutoStartup(r.Sampler, r.Trials, enqueued.Count));
    }

    /// <summary>
    /// A new request with its protocol written out: the default ladder when it has none, the start-up
    /// scaled to the budget when it is 0. What a study stores, so that its status shows them.
    /// </summary>
    public static StudyRequest Complete(StudyRequest r, SearchSpace space)
    {
        var ladder = r.LearningRates.Count > 0 ? r.LearningRates : DefaultLadder(space);
        var enqueued = new[] { Objective.Nll.Spec }.Concat(r.Enqueue).Distinct().Count() * ladder.Count;
        return r with { LearningRates = ladder, Startup = r.Startup > 0 ? r.Startup : AutoStartup(r.Sampler, r.Trials, enqueued) ?? 0 };
    }

    /// <summary>Three rungs spanning the space's lr (its bounds and their geometric mean; a categorical lr's choices), or the default range.</summary>
    public static IReadOnlyList<double> DefaultLadder(SearchSpace space)
    {
        if (space.TryGet("lr", out var lr))
        {
            if (lr.Kind == ParameterKind.Categorical)
                return lr.Choices.Where(c => c.ValueKind == JsonValueKind.Number).Select(c => c.GetDouble()).Take(MaxRungs).ToList();
            return Span(lr.Low, lr.High);
        }
        return Span(NamedSpaces.LearningRateLow, NamedSpaces.LearningRateHigh);
    }

    /// <summary>The start-up a study of <paramref name="sampler"/> gets when none is given: TPE's scaled to the budget, else none (the sampler's own).</summary>
    public static int? AutoStartup(string sampler, int trials, int enqueued) => sampler == "tpe" ? AutoStartup(trials, enqueued) : null;

    /// <summary>Start-up trials for a budget: the enqueued ones, then a quarter of the rest, within <see cref="MaxAutoStartup"/> unless the enqueued alone exceed it.</summary>
    public static int AutoStartup(int trials, int enqueued)
    {
        var random = (int)Math.Ceiling(Math.Max(0, trials - enqueued) / 4.0);
        return enqueued + Math.Min(random, Math.Max(0, MaxAutoStartup - enqueued));
    }

    /// <summary>
    /// A sampler seed of a study's own when the user gave none: a stable hash of its name (FNV-1a), so
    /// two studies started alike sample different points, and the same name samples the same ones.
    /// </summary>
    public static int SeedOf(string studyName)
    {
        var hash = 2166136261u;
        foreach (var c in studyName) hash = (hash ^ c) * 16777619u;
        return (int)(hash & 0x7fffffff);
    }

    /// <summary>The rules of a ladder, each message naming --lr-ladder; the space must reach every rung.</summary>
    public static void Check(IReadOnlyList<double> ladder, SearchSpace space)
    {
        if (ladder.Count > MaxRungs) throw new ArgumentException($"--lr-ladder has {ladder.Count} rates; at most {MaxRungs}");
        foreach (var rate in ladder)
            if (!(rate > 0) || !double.IsFinite(rate)) throw new ArgumentException($"--lr-ladder: {Text(rate)} is no learning rate (a positive number)");
        if (ladder.Distinct().Count() != ladder.Count) throw new ArgumentException($"--lr-ladder: {string.Join(", ", ladder.Select(Text))} repeats a rate");
        if (space.TryGet("lr", out var lr))
            foreach (var rate in ladder.Where(rate => LrValue(lr, rate) is null))
                throw new ArgumentException($"--lr-ladder: {Text(rate)} is outside the space's lr, {lr.DescribeDomain()} " +
                    "(a rate given with --lr alone is the ladder's one rung)");
    }

    static IReadOnlyList<double> Span(double low, double high) =>
        low == high ? [low] : [low, Round(Math.Sqrt(low * high)), high];

    /// <summary>Two significant digits: 5.5e-05 rather than 5.477225575051661e-05.</summary>
    static double Round(double v) => double.Parse(v.ToString("G2", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    static SearchSpace WithLadder(SearchSpace space, IReadOnlyList<double> ladder) =>
        space.TryGet("lr", out _) ? space : new SearchSpace([.. space.Parameters, ParameterSpec.Categorical("lr", ladder)]);

    static IReadOnlyDictionary<string, double> AtRate(SearchSpace space, string spec, double rate)
    {
        var values = TrialParameters.ForObjective(space, spec);
        values["lr"] = LrValue(space["lr"], rate) ?? throw new ArgumentException($"--lr-ladder: {Text(rate)} is outside the space's lr");
        return values;
    }

    /// <summary>The internal value of an lr parameter at a rate: the rate, or the index of the choice equal to it.</summary>
    static double? LrValue(ParameterSpec lr, double rate)
    {
        if (lr.Kind != ParameterKind.Categorical) return lr.Contains(rate) ? rate : null;
        for (var i = 0; i < lr.Choices.Count; i++)
            if (lr.Choices[i].ValueKind == JsonValueKind.Number && lr.Choices[i].GetDouble() == rate) return i;
        return null;
    }

    static string Text(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
