namespace BeyondNll.Training.Evaluation;

/// <summary>
/// Where the answer sits in a response, for exact-match accuracy: the whole response, the text
/// after the last marker such as "####" (GSM8K style), or the content of the last \boxed{...}
/// (MATH style). Answers are compared after trimming whitespace.
/// </summary>
public abstract record AnswerFormat
{
    public sealed record Whole : AnswerFormat
    {
        public override string? Extract(string text) => text.Trim();
        public override string ToString() => "whole";
    }

    public sealed record AfterMarker(string Marker) : AnswerFormat
    {
        public override string? Extract(string text)
        {
            var at = text.LastIndexOf(Marker, StringComparison.Ordinal);
            return at < 0 ? null : text[(at + Marker.Length)..].Trim();
        }

        public override string ToString() => $"marker:{Marker}";
    }

    public sealed record Boxed : AnswerFormat
    {
        const string Open = "\\boxed{";

        // Braces nest inside a boxed answer (\boxed{\frac{1}{2}}), so the close is found by depth.
        public override string? Extract(string text)
        {
            var at = text.LastIndexOf(Open, StringComparison.Ordinal);
            if (at < 0) return null;
            var depth = 1;
            for (var i = at + Open.Length; i < text.Length; i++)
            {
                if (text[i] == '{') depth++;
                else if (text[i] == '}' && --depth == 0) return text[(at + Open.Length)..i].Trim();
            }
            return null;
        }

        public override string ToString() => "boxed";
    }

    /// <summary>The answer in <paramref name="text"/>, or null when the format finds none (which scores wrong).</summary>
    public abstract string? Extract(string text);

    public static AnswerFormat Parse(string text) => text.Trim() switch
    {
        "whole" => new Whole(),
        "boxed" => new Boxed(),
        var s when s.StartsWith("marker:", StringComparison.Ordinal) && s.Length > "marker:".Length => new AfterMarker(s["marker:".Length..]),
        _ => throw new FormatException($"unknown answer format '{text}'; use whole, boxed or marker:TEXT (e.g. marker:####)"),
    };
}

