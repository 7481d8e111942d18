namespace BeyondNll.Search.Pruners;

/// <summary>
/// Builds a pruner from its spec, as the console and the study grain write it: a name from
/// <see cref="Names"/>, optionally with settings (<see cref="PrunerSpec"/>):
/// <code>
/// none
/// median[:startup=N,warmup=STEPS,interval=STEPS]    N complete trials before pruning (default 3)
/// asha[:eta=η,min=STEPS,bracket=S]                  η = 3; min = the step of a trial's first report
/// hyperband[:eta=η,min=STEPS,max=STEPS]             max = the largest step a complete trial reported
/// </code>
/// </summary>
public static class PrunerFactory
{
    /// <summary>The pruners by base name (a spec may add settings after a colon).</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "median", "asha", "hyperband"];

    /// <summary>What a spec can say, in one line: for help texts.</summary>
    public const string Usage =
        "none, median[:startup=N,warmup=STEPS,interval=STEPS], asha[:eta=N,min=STEPS,bracket=N] or hyperband[:eta=N,min=STEPS,max=STEPS]";

    /// <param name="spec">The pruner's name, optionally with settings.</param>
    /// <param name="firstReportStep">The step of a trial's first intermediate report: the default minimum resource of ASHA and Hyperband.</param>
    /// <returns>The pruner, or null for "none".</returns>
    /// <exception cref="ArgumentException">An unknown name, or a setting that is unknown, not an integer or out of range; the message names it.</exception>
    public static IPruner? Create(string spec, int firstReportStep)
    {
        var parsed = PrunerSpec.Parse(spec);
        var minResource = Math.Max(1, firstReportStep);
        switch (parsed.Name)
        {
            case "none":
                parsed.CheckKnown();
                return null;
            case "median":
                parsed.CheckKnown("startup", "warmup", "interval");
                // A few complete trials before the median means anything.
                return new MedianPruner(
                    startupTrials: parsed.Int("startup", 3, 0)!.Value,
                    warmupSteps: parsed.Int("warmup", 0, 0)!.Value,
                    intervalSteps: parsed.Int("interval", 1, 1)!.Value);
            case "asha":
                parsed.CheckKnown("eta", "min", "bracket");
                return new AshaPruner(
                    minResource: parsed.Int("min", minResource, 1)!.Value,
                    reductionFactor: parsed.Int("eta", 3, 2)!.Value,
                    bracket: parsed.Int("bracket", 0, 0)!.Value);
            case "hyperband":
                parsed.CheckKnown("eta", "min", "max");
                var min = parsed.Int("min", minResource, 1)!.Value;
                var max = parsed.Int("max", null, 1);
                if (max < min)
                    throw new ArgumentException($"pruner '{spec}': max must be at least min ({min}), got {max}");
                return new HyperbandPruner(min, parsed.Int("eta", 3, 2)!.Value, max);
            default:
                throw new ArgumentException($"unknown pruner '{parsed.Name}'; choose one of {string.Join(", ", Names)}");
        }
    }
}
