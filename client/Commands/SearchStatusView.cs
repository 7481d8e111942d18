using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BeyondNll.Grains;
using BeyondNll.Studies;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace BeyondNll.Client.Commands;

/// <summary>
/// How a <see cref="StudyStatus"/> is shown: the JSON of <c>bnll search status --json</c> (a
/// contract for scripts: field names and order, lowercase states, params as an object) and the
/// table of <c>search status</c>, <c>search watch</c> and <c>search start --wait</c>. Pure
/// functions of the status, so they are tested without a cluster.
/// </summary>
public static class SearchStatusView
{
    /// <summary>The study; <c>importance</c> each parameter's share of the variance of the completed search trials'
    /// values (fANOVA, see <see cref="StudyImportance"/>; empty while too few completed); <c>recipe</c> is the base recipe every trial starts from (all its fields), <c>answer</c>
    /// the study's one answer (see <see cref="AnswerJson"/>), <c>dtype</c> ... <c>lora_targets</c> the recipe's
    /// real-backbone fields as they were before the recipe existed. <c>trials_done</c> counts search trials (what
    /// <c>trial_budget</c> counts), <c>confirm_done</c> of <c>confirm_trials</c> the confirmation's apart;
    /// <c>lr_ladder</c>, <c>startup</c> and <c>seed</c> are the protocol (see StudyProtocol), <c>test_data</c> the
    /// held-out data the study reports on (null: it reports on validation); <c>winner_trial</c> the trial whose model
    /// `bnll export --format hf` writes, <c>keep_models</c> how many search trials' models are kept.</summary>
    public sealed record StatusJson(string Study, string State, string Backbone, IReadOnlyList<TrialJson> Trials,
        BestJson? Best, BaselineJson? Baseline, string Metric, string Direction, string Dataset, string Sampler,
        string Pruner, int TrialBudget, int TrialsDone, int Parallel, string? Message, DateTimeOffset Created,
        int Confirm, int ConfirmSeeds, ConfirmationJson? Confirmation,
        string Dtype, bool GradientCheckpointing, int LoraRank, double LoraAlpha, string LoraTargets,
        string Workload, JsonObject Recipe, AnswerJson? Answer,
        int ConfirmDone, int ConfirmTrials, IReadOnlyList<double> LrLadder, int Startup, int Seed, string? TestData,
        int? WinnerTrial, int KeepModels, IReadOnlyDictionary<string, double> Importance);

    /// <summary>
    /// The study's answer, the same everywhere it is shown: the winner (the confirmation's when the study
    /// has one; <c>confirmed</c> false: plainly unconfirmed, single trials) with its learning rate, its value
    /// on validation and on test, and the gain of the best challenger over NLL at its best (positive = better
    /// than NLL), measured on <c>split</c> with <c>challenger_value</c> and <c>nll_value</c>; <c>recipe</c> is
    /// the winner's whole recipe, what export writes.
    /// </summary>
    public sealed record AnswerJson(string Objective, string? PaperKey, double Lr, double Value, string? Challenger, double? ChallengerLr,
        double? ChallengerValue, double? NllValue, double? NllLr, double? Gain, double? GainSe, double? PValue, bool BeyondNoise, bool Confirmed,
        double? TestValue, string Split, double? PAdjusted, IReadOnlyList<double>? Ci95, JsonObject? Recipe);

    /// <summary>
    /// The confirmation on fresh seeds: mean ± standard error per configuration (fresh seeds only, on
    /// <c>split</c>), each challenger against the NLL baseline paired by seed (<c>comparisons</c>), and the
    /// best challenger's gain with its 95% interval (<c>ci95</c>), the paired test's name (<c>test</c>) and
    /// p, and that p Holm-adjusted over the challengers (<c>p_adjusted</c>), which decides beyond noise (&lt;
    /// alpha). <c>winner</c> is the challenger when its gain is positive, else NLL.
    /// </summary>
    public sealed record ConfirmationJson(IReadOnlyList<ConfiguredJson> Configurations, int Seeds, string? Challenger,
        string Winner, string WinnerObjective, string? WinnerPaperKey, double WinnerLr, double? Gain, double? GainSe,
        double? T, double? Df, double? PValue, bool BeyondNoise, string Test, double Alpha,
        double? PAdjusted, IReadOnlyList<double>? Ci95, string Split, int Pairs, IReadOnlyList<ComparisonJson> Comparisons);

    public sealed record ConfiguredJson(string Name, string Objective, double Lr, string Role, double Mean, double? Se, int N,
        IReadOnlyList<double> Values, IReadOnlyList<int>? Seeds, double? ValidationMean);

    /// <summary>One challenger against the NLL baseline, paired by seed.</summary>
    public sealed record ComparisonJson(string Name, string Objective, double Lr, int Pairs, double Gain, double? GainSe, double? T, double? Df,
        double? PValue, double? PAdjusted, IReadOnlyList<double>? Ci95, bool BeyondNoise);

    /// <summary>One trial; <c>silo</c> and <c>device</c> are those of its last attempt, <c>attempt_log</c> all of them;
    /// <c>trainable_parameters</c> and <c>dtype</c> what its completed attempt trained (null for a simulated workload);
    /// <c>value</c> is on validation, <c>test_value</c> on the study's held-out test data (null without);
    /// <c>curve</c> its learning curve.</summary>
    public sealed record TrialJson(int Number, string Objective, JsonElement Params, string State, double? Value,
        int Attempts, string? Silo, string? Device, int Step, int Steps, string? Message, IReadOnlyList<AttemptJson> AttemptLog,
        string Role, int Seed, double Lr, long? TrainableParameters, string? Dtype, JsonObject Recipe, double? TestValue,
        IReadOnlyList<CurveJson> Curve);

    /// <summary>One attempt; <c>work_started</c>, <c>work_ended</c> and <c>released</c> are the device's timestamps (see <see cref="AttemptView"/>);
    /// <c>resumed_from_step</c> the checkpoint it went on from (0 = started fresh), <c>pid</c> its worker process (null when simulated).</summary>
    public sealed record AttemptJson(int Attempt, string Silo, string Device, DateTimeOffset Started, DateTimeOffset? Ended, string Outcome,
        DateTimeOffset? WorkStarted, DateTimeOffset? WorkEnded, DateTimeOffset? Released, int ResumedFromStep, int? Pid);

    /// <summary>A point of a learning curve: the training loss at a step, and the intermediate value of the study's metric when one was taken there.</summary>
    public sealed record CurveJson(int Step, double? TrainLoss, double? Value);

    public sealed record BestJson(int Number, string Objective, double? Value, string? PaperKey);

    public sealed record BaselineJson(string Objective, double? Value, int Number);

    public static StatusJson ToJson(StudyStatus s) => new(
        s.Study, Name(s.State), s.Backbone, s.Trials.Select(ToJson).ToList(),
        s.Best is { } best ? new BestJson(best.Number, best.Objective, best.Value, PaperKeyOrNull(best.Objective)) : null,
        s.Baseline is { } nll ? new BaselineJson(nll.Objective, nll.Value, nll.Number) : null,
        s.Metric, s.Direction, s.Dataset, s.Sampler, s.Pruner, s.TrialBudget, TrialsDone(s), s.Parallel, s.Message, s.Created,
        s.Confirm, s.ConfirmSeeds, ToJson(s.Confirmation),
        s.Recipe.Dtype, s.Recipe.GradientCheckpointing, s.Recipe.LoraRank, s.Recipe.LoraAlpha, s.Recipe.LoraTargets,
        s.Workload, RecipeFields.ToJson(s.Recipe), ToJson(s.Answer),
        ConfirmDone(s), ConfirmTrials(s), s.LearningRates, s.Startup, s.Seed, s.TestPath,
        s.WinnerTrial, s.KeepModels, StudyImportance.Of(s));

    public static AnswerJson? ToJson(StudyAnswer? a) => a is null ? null : new AnswerJson(a.Objective, PaperKeyOrNull(a.Objective),
        a.LearningRate, a.Value, a.Challenger, a.ChallengerLearningRate, a.ChallengerValue, a.NllValue, a.NllLearningRate, a.Gain,
        a.GainStandardError, a.PValue, a.BeyondNoise, a.Confirmed, a.TestValue, a.Split, a.PAdjusted, a.Ci95,
        a.Recipe is null ? null : RecipeFields.ToJson(a.Recipe));

    public static ConfirmationJson? ToJson(ConfirmationView? c) => c is null ? null : new ConfirmationJson(
        c.Configurations.Select(x => new ConfiguredJson(x.Name, x.Objective, x.LearningRate, x.Role, x.Mean, x.StandardError,
            x.Values.Count, x.Values, x.Seeds, x.ValidationMean)).ToList(),
        c.Seeds, c.Challenger, c.Winner, c.WinnerObjective, PaperKeyOrNull(c.WinnerObjective), c.WinnerLearningRate, c.Gain,
        c.GainStandardError, c.T, c.DegreesOfFreedom, c.PValue, c.BeyondNoise, c.Test, c.Alpha, c.PAdjusted, c.Ci95, c.Split, c.Pairs,
        c.Comparisons.Select(x => new ComparisonJson(x.Name, x.Objective, x.LearningRate, x.Pairs, x.Gain, x.GainStandardError, x.T,
            x.DegreesOfFreedom, x.PValue, x.PAdjusted, x.Ci95, x.BeyondNoise)).ToList());

    public static TrialJson ToJson(TrialView t)
    {
        var last = t.Attempts.Count > 0 ? t.Attempts[^1] : null;
        return new TrialJson(t.Number, t.Objective, ParseParams(t.ParamsJson), Name(t.State), t.Value, t.Attempts.Count,
            last?.Silo, last?.Device, t.Step, t.Steps, t.Message,
            t.Attempts.Select(a => new AttemptJson(a.Attempt, a.Silo, a.Device, a.Started, a.Ended, a.Outcome, a.WorkStarted, a.WorkEnded, a.Released,
                a.ResumedFromStep, a.Pid)).ToList(),
            t.Role, t.Seed, t.LearningRate, t.TrainableParameters, t.WeightDtype, RecipeFields.ToJson(t.Recipe), t.TestValue,
            t.Curve.Select(p => new CurveJson(p.Step, p.TrainLoss, p.Value)).ToList());
    }

    public static string Name(StudyState state) => state.ToString().ToLowerInvariant();

    public static string Name(TrialRunState state) => state.ToString().ToLowerInvariant();

    public static bool IsFinished(StudyState state) => state is StudyState.Completed or StudyState.Cancelled or StudyState.Failed;

    /// <summary>Search trials that ended one way or another (completed, pruned, failed, cancelled): what --trials counts.</summary>
    public static int TrialsDone(StudyStatus s) => Ended(s, TrialRoles.Search);

    /// <summary>Confirmation trials that ended.</summary>
    public static int ConfirmDone(StudyStatus s) => Ended(s, TrialRoles.Confirm);

    /// <summary>Confirmation trials in all: those planned, or before the plan, as many as it will make at most.</summary>
    public static int ConfirmTrials(StudyStatus s)
    {
        var planned = s.Trials.Count(t => t.Role == TrialRoles.Confirm);
        return planned > 0 || s.Confirm == 0 || IsFinished(s.State) ? planned : (s.Confirm + 1) * s.ConfirmSeeds;
    }

    static int Ended(StudyStatus s, string role) =>
        s.Trials.Count(t => t.Role == role && t.State is not (TrialRunState.Pending or TrialRunState.Running));

    /// <summary>"6/6 search, 3/9 confirmation": the budget the user asked for and the confirmation apart.</summary>
    public static string Progress(StudyStatus s) =>
        $"{TrialsDone(s)}/{s.TrialBudget} search" + (ConfirmTrials(s) > 0 ? $", {ConfirmDone(s)}/{ConfirmTrials(s)} confirmation" : "");

    /// <summary>The protocol in one line: the rate ladder, the start-up, the sampler's seed and where values are reported.</summary>
    public static string Protocol(StudyStatus s) =>
        $"nll and every enqueued objective at lr {string.Join(", ", s.LearningRates.Select(Rate))}; " +
        (s.Startup > 0 ? $"{s.Startup} start-up trial(s) before {s.Sampler} takes over" : $"then the {s.Sampler} sampler throughout") +
        $"; sampler seed {s.Seed}; " +
        (s.TestPath is null ? "values reported on validation (no --test data)" : $"selected on validation, reported on test ({s.TestPath})");

    static string Rate(double lr) => lr.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>The study's gain over NLL (its answer's: see StudyAnswers); null until both have a value.</summary>
    public static double? Gain(StudyStatus s) => s.Answer?.Gain;

    /// <summary>The paper trainer's key of an objective spec, or null if the spec does not parse.</summary>
    public static string? PaperKeyOrNull(string objective) => ParsedOrNull(objective)?.PaperKey;

    static bool TrainsNothing(string objective) => ParsedOrNull(objective)?.TrainsNothing == true;

    /// <summary>An objective spec as the grain sent it, or null if it does not parse (a record of a future version).</summary>
    static Objective? ParsedOrNull(string objective)
    {
        try { return Objective.Parse(objective); }
        catch (Exception e) when (e is FormatException or ArgumentException) { return null; }
    }

    /// <summary>The trial's parameters as a JSON object; text the grain sent that is no JSON stays a string.</summary>
    static JsonElement ParseParams(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }

    /// <summary>"3 completed · 2 running · 1 pruned", in the order trials move through the states.</summary>
    public static string Counts(StudyStatus s) => string.Join(" · ",
        Enum.GetValues<TrialRunState>().Select(state => (state, n: s.Trials.Count(t => t.State == state)))
            .Where(c => c.n > 0).Select(c => $"{c.n} {Name(c.state)}"));

    /// <summary>
    /// The headline, the trials (with a progress bar for each running one) and the best against NLL;
    /// a message (a failure's cause) in one line. <paramref name="compact"/>: <see cref="TableLayout"/>'s layout.
    /// </summary>
    public static IRenderable Render(StudyStatus s, bool compact = false)
    {
        var header = new Markup(Markup.Escape(
            $"study {s.Study} · {Name(s.State)} · backbone {s.Backbone} · data {s.Dataset}" +
            (s.Simulated ? $" · workload {s.Workload}: a dry run, its values are made up" : "") + "\n" +
            $"{s.Metric} ({s.Direction}) · sampler {s.Sampler} · pruner {s.Pruner} · " +
            $"{Progress(s)}" + (s.Trials.Count > 0 ? $" · {Counts(s)}" : "") +
            $"\ntraining {Tuning(s)}"
            + (string.IsNullOrEmpty(s.Message) ? "" : $"\n{TableLayout.OneLine(s.Message)}")));
        var table = new Table().AddColumns("#", "objective", "state", s.Metric, "attempts", "silo / device", "progress");
        if (compact) TableLayout.Compact(table);
        foreach (var t in s.Trials.OrderBy(t => t.Number))
        {
            var last = t.Attempts.Count > 0 ? t.Attempts[^1] : null;
            table.AddRow(
                new Text(t.Number.ToString(CultureInfo.InvariantCulture)),
                new Text((t.Number == s.Best?.Number ? $"{t.Objective} *" : t.Objective) +
                    (t.Role == TrialRoles.Confirm ? $" (confirm, seed {t.Seed})" : "")),
                new Markup(StateMarkup(t.State)),
                new Text(Format(t.Value)),
                new Text(t.Attempts.Count.ToString(CultureInfo.InvariantCulture) +
                    (last is { ResumedFromStep: > 0 } ? $" (from step {last.ResumedFromStep})" : "")),
                new Text(last is null ? "" : $"{(compact ? TableLayout.Silo(last.Silo) : last.Silo)} / {last.Device}"),
                t.State != TrialRunState.Running ? new Text(TableLayout.OneLine(t.Message))
                    : compact ? new Text($"{t.Step}/{t.Steps}") : new Markup(Bar(t.Step, t.Steps)));
        }
        return s.Confirmation is { } c ? new Rows(header, table, new Text(Summary(s)), new Text(ConfirmationSummary(c)))
            : new Rows(header, table, new Text(Summary(s)));
    }

    /// <summary>How the study's trials train: "bfloat16, LoRA rank 16 alpha 32 on all-linear, gradient checkpointing",
    /// or "float32, all weights" by default.</summary>
    public static string Tuning(StudyStatus s) =>
        $"{s.Recipe.Dtype}, " +
        (s.Recipe.LoraRank > 0 ? $"LoRA rank {s.Recipe.LoraRank} alpha {s.Recipe.LoraAlpha.ToString(CultureInfo.InvariantCulture)} on {s.Recipe.LoraTargets}" : "all weights") +
        (s.Recipe.GradientCheckpointing ? ", gradient checkpointing" : "");

    /// <summary>
    /// The study's one answer (confirmed, or plainly unconfirmed) against NLL at its best, then the best
    /// single search trial on validation (what selected, not what is reported).
    /// </summary>
    public static string Summary(StudyStatus s)
    {
        if (s.Answer is not { } a || s.Best is not { } best) return "answer: none yet (no trial has finished)";
        var key = PaperKeyOrNull(a.Objective);
        var line = $"answer ({(a.Confirmed ? "confirmed" : "unconfirmed")}): {a.Objective}" + (key is null ? "" : $" ({key})") +
            $" at lr {Rate(a.LearningRate)}, {s.Metric} {Format(a.Value)} on validation" +
            (a.TestValue is { } test ? $", {Format(test)} on test" : "");
        // NLL at its best learning rate: the yardstick of the gain.
        if (a.NllValue is { } nll) line += $"; nll baseline {Format(nll)} at lr {Rate(a.NllLearningRate ?? 0)} on {a.Split}";
        if (a.Gain is { } gain) line += $"; gain {Signed(gain)} on {a.Split}";
        if (TrainsNothing(a.Objective))
            line += $"\nnote: {a.Objective} trains nothing (no token of p in (0, 1) takes part): the backbone as it is beat the fine-tuned ones here";
        return line + $"\nbest search trial: {best.Number} {best.Objective}, {s.Metric} {Format(best.Value)} on validation" +
            (best.TestValue is { } bestTest ? $" ({Format(bestTest)} on test)" : "");
    }

    /// <summary>Each confirmed configuration as mean ± SE, then each challenger's paired gain over NLL and the verdict.</summary>
    public static string ConfirmationSummary(ConfirmationView c)
    {
        var lines = c.Configurations.Select(x =>
            $"  {x.Name}{(x.Role == "baseline" ? " (baseline)" : "")}: {Format(x.Mean)} ± {Format(x.StandardError)} over {x.Values.Count} seeds" +
            (c.Split == "test" && x.ValidationMean is { } v ? $" (validation {Format(v)})" : ""));
        var verdict = c.Gain is not { } gain ? "no challenger to compare"
            : $"gain of {c.Challenger} over NLL {Signed(gain)}" + (c.Ci95 is [var low, var high] ? $" (95% CI {Signed(low)} to {Signed(high)})" : "") +
              $", {c.Test} over {c.Pairs} seed pairs p {Format(c.PValue)}" +
              (c.Comparisons.Count > 1 ? $", Holm-adjusted over {c.Comparisons.Count} challengers {Format(c.PAdjusted)}" : "") + ": " +
              (c.PValue is null ? "untested (no spread across seeds, or one pair)" : c.BeyondNoise ? (gain > 0 ? "beyond noise" : "NLL better beyond noise") : "within noise");
        return $"confirmed on {c.Seeds} fresh seeds (values on {c.Split}):\n{string.Join("\n", lines)}\nwinner {c.Winner}; {verdict}";
    }

    public static string Signed(double value) => value.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture);

    public static string Format(double? value) => value?.ToString("F4", CultureInfo.InvariantCulture) ?? "-";

    static string StateMarkup(TrialRunState state) => state switch
    {
        TrialRunState.Completed => "[green]completed[/]",
        TrialRunState.Running => "[blue]running[/]",
        TrialRunState.Pruned => "[yellow]pruned[/]",
        TrialRunState.Failed => "[red]failed[/]",
        _ => Name(state),
    };

    /// <summary>A text progress bar; the table is rebuilt every poll, so a static bar is all it needs.</summary>
    static string Bar(int step, int steps, int width = 20)
    {
        var filled = steps > 0 ? Math.Clamp((int)Math.Round(width * (double)step / steps), 0, width) : 0;
        return $"[green]{new string('━', filled)}[/][grey]{new string('━', width - filled)}[/] {step}/{steps}";
    }
}
