using BeyondNll.Search.Confirmation;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Studies.Factorial;

/// <summary>An objective at one level, across seeds: its test value at its own best rate (picked on validation, seed by seed).</summary>
/// <param name="BestRates">Per seed, the rate whose validation value was best (the ladder's lowest among ties).</param>
public sealed record FactorialObjective(string Objective, int Seeds, double MeanTest, double? StandardError, IReadOnlyList<double> BestRates);

/// <summary>
/// A challenger's gain over NLL at one level: per seed its test value minus NLL's, each at its own best
/// rate, the seeds paired (a cell's runs share the backbone, the data and the training seed); the 95%
/// interval from Student's t and the p, raw and Holm-adjusted across the level's challengers.
/// </summary>
public sealed record FactorialGain(string Challenger, int Seeds, double Mean, double? CiLow, double? CiHigh, double? PValue, double? PAdjusted)
{
    public bool BeyondNoise => PAdjusted is < FactorialAnalysis.Alpha;
}

/// <summary>
/// One level of one task and condition across seeds: where it sits (mean p, accuracy before fine-tuning
/// against the ceiling of 1), each objective's value, each challenger's gain, and the verdict.
/// </summary>
/// <param name="Verdict"><see cref="FactorialAnalysis.NllWins"/>, <see cref="FactorialAnalysis.ChallengerWins"/> or
/// <see cref="FactorialAnalysis.WithinNoise"/>: whether the winner's lead over the other side is beyond noise.</param>
public sealed record FactorialLevel(string Task, string Condition, int Level, int Seeds, double MeanP, double MeanPSe, double? HeldOutMeanP,
    double AccuracyBefore, double BestTest, IReadOnlyList<FactorialObjective> Objectives, IReadOnlyList<FactorialGain> Gains,
    string Winner, string Verdict);

/// <summary>Where a challenger's mean gain over NLL changes sign along mean p: between two neighbouring levels, and where the line between them crosses 0.</summary>
public sealed record FactorialSignChange(string Task, string Condition, string Challenger, double FromMeanP, double ToMeanP, double Crossing,
    double GainBefore, double GainAfter);

/// <summary>How the product's search did on one level: how many of its seeds agreed with the factorial, at what share of its cost.</summary>
/// <param name="Args">The searches' flags (empty: `search start`'s defaults); each setting is counted apart.</param>
/// <param name="MeanRegret">The factorial winner's test value minus the search's answer's, each on the same seed's backbone and
/// data, averaged over the searches that measured their answer on test (null: none did).</param>
/// <param name="Noise">What the factorial cannot tell apart at this level: the half-width of the 95% interval of the gain its verdict rests on.</param>
public sealed record FactorialAgreement(string Args, string Task, string Condition, int Level, string Verdict, string FactorialWinner, int Searches,
    int Agreed, IReadOnlyList<string> Answers, double CostShare, double? MeanRegret = null, double? Noise = null)
{
    /// <summary>A level counts as agreed when most of its searches agreed.</summary>
    public bool Agrees => Agreed * 2 > Searches;
}

public sealed record FactorialReport(IReadOnlyList<FactorialLevel> Levels, IReadOnlyList<FactorialSignChange> SignChanges,
    IReadOnlyList<FactorialAgreement> Agreement);

/// <summary>
/// The factorial's answers from its runs: per task, condition and level each objective at its own best
/// rate (chosen on validation, reported on test), each challenger's paired gain over NLL with its 95%
/// interval, the verdict, where the sign of a gain changes along mean p, and how often the product's
/// search agreed. Pure: records in, records out.
/// </summary>
public static class FactorialAnalysis
{
    public const double Alpha = 0.05;
    public const string NllWins = "nll";
    public const string ChallengerWins = "challenger";
    public const string WithinNoise = "within-noise";

    public static FactorialReport Analyse(FactorialResults results)
    {
        var levels = results.Cells
            .GroupBy(c => (c.Task, c.Condition, c.Level))
            .Select(g => Level(g.Key.Task, g.Key.Condition, g.Key.Level, g.OrderBy(c => c.Seed).ToList()))
            .OrderBy(l => results.Settings.Tasks.ToList().IndexOf(l.Task))
            .ThenBy(l => results.Settings.Conditions.ToList().IndexOf(l.Condition)).ThenBy(l => l.Level)
            .ToList();
        return new FactorialReport(levels, SignChanges(levels), Agreement(levels, results));
    }

    /// <summary>Per seed, each objective's test value at the rate that was best on validation.</summary>
    public static IReadOnlyDictionary<string, (double Rate, double Test)> BestRates(FactorialCell cell) =>
        cell.Runs.Where(r => r.Value is not null && r.TestValue is not null)
            .GroupBy(r => r.Objective)
            .ToDictionary(g => g.Key, g =>
            {
                // The best validation value; the lowest rate among ties (the ladder's gentlest).
                var best = g.OrderByDescending(r => r.Value).ThenBy(r => r.LearningRate).First();
                return (best.LearningRate, best.TestValue!.Value);
            });

    static FactorialLevel Level(string task, string condition, int level, IReadOnlyList<FactorialCell> cells)
    {
        var best = cells.Select(BestRates).ToList();
        var objectives = best.SelectMany(b => b.Keys).Distinct()
            .OrderBy(o => o == Objective.Nll.Spec ? 0 : 1).ThenBy(o => o, StringComparer.Ordinal)
            .Select(o =>
            {
                var seeds = best.Where(b => b.ContainsKey(o)).Select(b => b[o]).ToList();
                var summary = SampleSummary.Of(seeds.Select(s => s.Test).ToList());
                return new FactorialObjective(o, seeds.Count, summary.Mean, double.IsNaN(summary.StandardError) ? null : summary.StandardError,
                    seeds.Select(s => s.Rate).ToList());
            }).ToList();

        var challengers = objectives.Where(o => o.Objective != Objective.Nll.Spec).Select(o => o.Objective).ToList();
        var comparisons = challengers
            .Select(c => (Challenger: c, Differences: best.Where(b => b.ContainsKey(c) && b.ContainsKey(Objective.Nll.Spec))
                .Select(b => b[c].Test - b[Objective.Nll.Spec].Test).ToList()))
            .Where(c => c.Differences.Count > 0)
            .Select(c => (c.Challenger, Test: PairedTTest.Compare(c.Differences)))
            .ToList();
        var adjusted = HolmCorrection.Adjust(comparisons.Select(c => c.Test.PValue).ToList());
        var gains = comparisons.Select((c, i) => new FactorialGain(c.Challenger, c.Test.Pairs, c.Test.MeanDifference, c.Test.CiLow, c.Test.CiHigh,
            c.Test.PValue, adjusted[i])).ToList();

        var meanP = SampleSummary.Of(cells.Select(c => c.MeanP).ToList());
        var heldOut = cells.Where(c => c.HeldOutMeanP is not null).Select(c => c.HeldOutMeanP!.Value).ToList();
        var winner = objectives.Count == 0 ? "" : objectives.MaxBy(o => o.MeanTest)!.Objective;
        return new FactorialLevel(task, condition, level, cells.Count, meanP.Mean, double.IsNaN(meanP.StandardError) ? 0 : meanP.StandardError,
            heldOut.Count > 0 ? heldOut.Average() : null, cells.Average(c => c.AccuracyBefore),
            objectives.Count == 0 ? double.NaN : objectives.Max(o => o.MeanTest), objectives, gains, winner, Verdict(winner, gains));
    }

    /// <summary>
    /// NLL wins when it is the winner and beats the best challenger beyond noise; a challenger wins when it
    /// is the winner and beats NLL beyond noise (Holm-adjusted p below α); otherwise the level is within noise.
    /// </summary>
    static string Verdict(string winner, IReadOnlyList<FactorialGain> gains) => DecidingGain(winner, gains) switch
    {
        null => WithinNoise,
        { BeyondNoise: true, Mean: < 0 } when winner == Objective.Nll.Spec => NllWins,
        { BeyondNoise: true, Mean: > 0 } when winner != Objective.Nll.Spec => ChallengerWins,
        _ => WithinNoise,
    };

    /// <summary>The gain a level's verdict rests on: NLL's lead over its closest challenger when NLL wins, else the winner's gain over NLL.</summary>
    static FactorialGain? DecidingGain(string winner, IReadOnlyList<FactorialGain> gains) =>
        winner == Objective.Nll.Spec ? gains.MaxBy(g => g.Mean) : gains.FirstOrDefault(g => g.Challenger == winner);

    static List<FactorialSignChange> SignChanges(IReadOnlyList<FactorialLevel> levels) =>
        levels.GroupBy(l => (l.Task, l.Condition))
            .SelectMany(g =>
            {
                var ordered = g.OrderBy(l => l.MeanP).ToList();
                var changes = new List<FactorialSignChange>();
                foreach (var challenger in ordered.SelectMany(l => l.Gains.Select(x => x.Challenger)).Distinct())
                {
                    var points = ordered.Select(l => (l.MeanP, Gain: l.Gains.FirstOrDefault(x => x.Challenger == challenger)?.Mean))
                        .Where(p => p.Gain is not null && p.Gain != 0).Select(p => (p.MeanP, Gain: p.Gain!.Value)).ToList();
                    for (var i = 1; i < points.Count; i++)
                    {
                        var (x0, y0) = points[i - 1];
                        var (x1, y1) = points[i];
                        if (Math.Sign(y0) == Math.Sign(y1)) continue;
                        var crossing = x0 + (x1 - x0) * (0 - y0) / (y1 - y0);
                        changes.Add(new FactorialSignChange(g.Key.Task, g.Key.Condition, challenger, x0, x1, crossing, y0, y1));
                    }
                }
                return changes;
            }).ToList();

    /// <summary>
    /// A search agrees with its level when the factorial decides the level and the search's answer is on the
    /// winning side (NLL, or any challenger); when the factorial finds the level within noise, when its answer
    /// scored on test within the level's noise of the factorial's winner on the same seed's backbone and data
    /// (a search that names an objective the factorial shows to be far worse does not agree just because the
    /// top two are close). A search whose answer was not measured on test (a record of an earlier version)
    /// agrees with a within-noise level. The cost share is one search's training steps over the whole
    /// factorial's at that level (every seed's cell: what the factorial spent on its answer), averaged over
    /// the searches.
    /// </summary>
    static List<FactorialAgreement> Agreement(IReadOnlyList<FactorialLevel> levels, FactorialResults results) =>
        results.Searches.Select(s => s.Args).Distinct().Order(StringComparer.Ordinal).SelectMany(args => levels.Select(l =>
        {
            var searches = results.Searches.Where(s => s.Args == args && s.Task == l.Task && s.Condition == l.Condition && s.Level == l.Level).ToList();
            if (searches.Count == 0) return null;
            var cells = results.Cells.Where(c => c.Task == l.Task && c.Condition == l.Condition && c.Level == l.Level).ToList();
            var factorialSteps = cells.Sum(c => c.Runs.Sum(r => r.Steps));
            var gain = DecidingGain(l.Winner, l.Gains);
            var noise = gain is { CiHigh: { } high, CiLow: { } low } ? (high - low) / 2 : (double?)null;
            var regrets = searches.Select(s => Regret(l, cells, s)).ToList();
            var agreed = searches.Zip(regrets).Count(x => AgreesWith(l.Verdict, noise, x.First.Winner, x.Second));
            var measured = regrets.Where(r => r is not null).Select(r => r!.Value).ToList();
            return new FactorialAgreement(args, l.Task, l.Condition, l.Level, l.Verdict, l.Winner, searches.Count, agreed,
                searches.Select(s => s.Winner).ToList(), factorialSteps == 0 ? double.NaN : searches.Average(s => (double)s.Steps / factorialSteps),
                measured.Count > 0 ? measured.Average() : null, noise);
        })).Where(a => a is not null).Select(a => a!).ToList();

    /// <summary>One search against its level (see <see cref="Agreement"/>): within noise by its regret when it has one, else by its side.</summary>
    static bool AgreesWith(string verdict, double? noise, string answer, double? regret) =>
        verdict == WithinNoise && regret is { } r ? r <= (noise ?? 0) : Agrees(verdict, answer);

    /// <summary>The factorial winner's test value on the search's seed minus the search's answer's; null when either is missing.</summary>
    static double? Regret(FactorialLevel level, IReadOnlyList<FactorialCell> cells, FactorialSearch search) =>
        search.TestValue is { } answer && cells.FirstOrDefault(c => c.Seed == search.Seed) is { } cell
            && BestRates(cell).TryGetValue(level.Winner, out var winner)
            ? winner.Test - answer
            : null;

    /// <summary>Whether an answer is on the winning side of a level the factorial decides (any answer, for a level within noise).</summary>
    public static bool Agrees(string verdict, string answer) => verdict switch
    {
        NllWins => answer == Objective.Nll.Spec,
        ChallengerWins => answer != Objective.Nll.Spec,
        _ => true,
    };
}
