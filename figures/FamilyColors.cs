using ScottPlot;

namespace BeyondNll.Figures;

/// <summary>One colour per objective family, the same in every figure: a family reads alike on the continuum map and in a study's plots.</summary>
public static class FamilyColors
{
    /// <summary>The family of a spec: nll, power, top-p, ...</summary>
    public static string FamilyOf(string spec) => spec.Split(':')[0];

    public static Color Of(string family) => family switch
    {
        "nll" => Colors.Black,
        "power" => Colors.Blue,
        "top-p" => Colors.Green,
        "bottom-p" => Colors.Orange,
        "top-logp" => Colors.Purple,
        "bottom-logp" => Colors.Brown,
        _ => Colors.Gray,
    };

    /// <summary>The colour of an objective spec's family.</summary>
    public static Color OfSpec(string spec) => Of(FamilyOf(spec));
}
