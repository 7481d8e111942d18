namespace BeyondNll.Search.Continuum;

/// <summary>
/// This project's rule of thumb, for when there are too few measured points — not the paper's. The
/// paper ("Beyond Log Likelihood") places its settings on the continuum by domain (model-strong:
/// math on math-tuned backbones; model-intermediate: medical; model-weak: novel puzzles such as
/// figfont) and publishes no numeric probe or cut-off. Here a backbone is placed by the mean p of
/// its probe: below 0.3 model-weak (NLL expected to win), from 0.6 model-strong (a prior-leaning
/// objective, −p = power:1, the paper's headline one), in between model-intermediate (NLL, the
/// standard, is kept). The cut-offs are the capability probe's, and as much this project's choice.
/// </summary>
/// <remarks>The recommendation's basis keeps the name <c>paper-rule</c> it had in JSON, which scripts read.</remarks>
public static class RuleOfThumb
{
    public const double WeakBelow = 0.3;
    public const double StrongFrom = 0.6;

    public static string Region(double meanP) =>
        meanP < WeakBelow ? "model-weak" : meanP < StrongFrom ? "model-intermediate" : "model-strong";

    public static string Objective(double meanP) => meanP >= StrongFrom ? "power:1" : "nll";
}
