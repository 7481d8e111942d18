using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// How the console's tables read where they end up. On a terminal of <see cref="WideTerminal"/>
/// columns or more: Spectre's boxed tables at the terminal's width. Anywhere else — a log, a pipe,
/// a file, a narrower terminal — the compact layout: no borders, columns two spaces apart, none
/// ever wrapped or cut, and the table as wide as its longest row, so that each row is one
/// line and each header whole (a narrow terminal may still fold a long line at its edge). The
/// renderers shorten what they show in it (a silo without its generation, progress as "40/100");
/// <c>--json</c> is not touched.
/// </summary>
public static class TableLayout
{
    /// <summary>A terminal narrower than this gets the compact layout.</summary>
    public const int WideTerminal = 100;

    /// <summary>The width the compact layout renders at: wider than any row, so Spectre never wraps or cuts one.</summary>
    const int Unbounded = 4096;

    /// <summary>Whether <paramref name="output"/> gets the compact layout: it is no terminal, or one under 100 columns.</summary>
    public static bool IsCompact(TextWriter output) => TerminalWidth(output) is not { } width || width < WideTerminal;

    /// <summary>A Spectre console writing to <paramref name="output"/>: the terminal's own when it is wide, else one for the compact layout (colours kept on a terminal).</summary>
    public static IAnsiConsole Console(TextWriter output)
    {
        var terminal = TerminalWidth(output) is not null;
        if (terminal && !IsCompact(output) && ReferenceEquals(output, System.Console.Out)) return AnsiConsole.Console;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (IsCompact(output)) console.Profile.Width = Unbounded;
        return console;
    }

    /// <summary><paramref name="table"/> in the layout that suits <paramref name="output"/>.</summary>
    public static Table For(Table table, TextWriter output) => IsCompact(output) ? Compact(table) : table;

    /// <summary>The compact layout: no borders, two spaces between columns, no column wrapped.</summary>
    public static Table Compact(Table table)
    {
        table.Border(TableBorder.None);
        foreach (var column in table.Columns) column.NoWrap().Padding(0, 0, 2, 0);
        return table;
    }

    /// <summary>
    /// The first line of a message, such as a failure's cause (an exception's text can run to many
    /// lines), with "(…)" when more followed; the whole of it is in <c>--json</c>.
    /// </summary>
    public static string OneLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var lines = text.Trim().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 1 ? lines[0] : $"{lines[0]} (…)";
    }

    /// <summary>A silo's address without its generation ("127.0.0.1:11111@155047772" → "127.0.0.1:11111").</summary>
    public static string Silo(string address) => address.Split('@')[0];

    static int? TerminalWidth(TextWriter output)
    {
        var redirected = ReferenceEquals(output, System.Console.Out) ? System.Console.IsOutputRedirected
            : ReferenceEquals(output, System.Console.Error) ? System.Console.IsErrorRedirected : true;
        if (redirected) return null;
        try
        {
            return System.Console.WindowWidth is > 0 and var width ? width : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
