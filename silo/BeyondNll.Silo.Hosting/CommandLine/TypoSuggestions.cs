using System.CommandLine;
using System.CommandLine.Invocation;

namespace BeyondNll.Silo.Hosting.CommandLine;

/// <summary>
/// "Did you mean": the names System.CommandLine suggests for the first word it could not match (a
/// misspelt command or flag; the words after it are usually unmatched only because of it), for the
/// silo host and for `bnll` alike. The library writes its suggestions as text: for each unmatched
/// word a header line naming it in quotes, then one name per line.
/// </summary>
public static class TypoSuggestions
{
    /// <summary>The commands and flags close to the first unmatched word of <paramref name="parsed"/>; empty when none are.</summary>
    public static IReadOnlyList<string> For(ParseResult parsed)
    {
        if (parsed.UnmatchedTokens.Count == 0 || parsed.Action is not ParseErrorAction action) return [];
        action.ShowHelp = false;
        action.ShowTypoCorrections = true;
        var text = new StringWriter();
        parsed.Invoke(new InvocationConfiguration { Output = text, Error = TextWriter.Null });
        var lines = text.ToString().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var header = $"'{parsed.UnmatchedTokens[0]}' ";
        return lines.SkipWhile(line => !line.StartsWith(header, StringComparison.Ordinal)).Skip(1)
            .TakeWhile(line => !line.Contains(' ')).ToList();
    }

    /// <summary>" (did you mean --devices?)", or "" when nothing is close.</summary>
    public static string Hint(ParseResult parsed) =>
        For(parsed) is { Count: > 0 } names ? $" (did you mean {string.Join(" or ", names)}?)" : "";
}
