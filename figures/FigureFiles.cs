using ScottPlot;

namespace BeyondNll.Figures;

/// <summary>How every figure is written: one size, as a PNG file or as SVG text for a web page.</summary>
public static class FigureFiles
{
    public const int Width = 900, Height = 600;

    /// <summary>Writes the figure to <paramref name="path"/> as PNG, making its folder.</summary>
    public static void SavePng(Plot plot, string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        plot.SavePng(full, Width, Height);
    }

    /// <summary>The figure as an SVG document.</summary>
    public static string Svg(Plot plot) => plot.GetSvgXml(Width, Height);
}
