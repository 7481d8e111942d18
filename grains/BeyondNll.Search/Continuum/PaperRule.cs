namespace BeyondNll.Search.Continuum;

/// <summary>
/// The paper's rule of thumb, for when there are too few measured points: below mean p 0.3 the
/// backbone is model-weak and NLL wins; from 0.6 it is model-strong and a prior-leaning objective
/// wins (−p, power:1, the paper's headline one); in between no objective prevails, so NLL, the
/// standard, is kept. The cut-offs are those of the capability probe.
/// </summary>
public static class PaperRule
{
    public const double WeakBelow = 0.3;
    public const double StrongFrom = 0.6;

    public static string Region(double meanP) =>
        meanP < WeakBelow ? "model-weak" : meanP < StrongFrom ? "model-intermediate" : "model-strong";

    public static string Objective(double meanP) => meanP >= StrongFrom ? "power:1" : "nll";
}
