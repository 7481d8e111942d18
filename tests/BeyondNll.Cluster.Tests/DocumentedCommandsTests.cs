using System.Text.RegularExpressions;
using BeyondNll.Client;

namespace BeyondNll.Cluster.Tests;

/// <summary>
/// Every `bnll` command the README and docs/ show in a shell block parses: no renamed flag, no
/// dropped command, no misspelling goes unnoticed in the text a new user copies from.
/// </summary>
public partial class DocumentedCommandsTests
{
    public static TheoryData<string, string> Commands()
    {
        var data = new TheoryData<string, string>();
        var root = RepositoryRoot();
        foreach (var file in new[] { Path.Combine(root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md")))
            foreach (var command in ShellCommands(File.ReadAllLines(file)))
                data.Add(Path.GetRelativePath(root, file), command);
        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_documented_command_parses(string file, string command)
    {
        var parse = BnllCommandLine.Create().Parse(Words(command)[1..]);
        Assert.True(parse.Errors.Count == 0, $"{file}: `{command}`: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
    }

    [Fact]
    public void The_docs_show_commands_to_check() => Assert.True(Commands().Count >= 30, $"only {Commands().Count} commands found");

    /// <summary>The bnll lines of the ```sh blocks, continuation lines joined and comments cut; those with
    /// placeholders (…, [optional]) are not runnable as shown and are left out.</summary>
    static IEnumerable<string> ShellCommands(IReadOnlyList<string> lines)
    {
        var inShell = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inShell = !inShell && line.Trim() == "```sh";
                continue;
            }
            if (!inShell || !line.TrimStart().StartsWith("bnll ", StringComparison.Ordinal)) continue;
            var command = Uncommented(line).Trim();
            while (command.EndsWith('\\') && i + 1 < lines.Count)
                command = command[..^1].TrimEnd() + " " + Uncommented(lines[++i]).Trim();
            if (command.Contains("...") || command.Contains('[')) continue;
            yield return command;
        }
    }

    /// <summary>The line without its shell comment (a # after a space, outside quotes).</summary>
    static string Uncommented(string line)
    {
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"') quoted = !quoted;
            else if (line[i] == '#' && !quoted && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i];
        }
        return line;
    }

    static string[] Words(string command) =>
        WordPattern().Matches(command).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Value).ToArray();

    [GeneratedRegex("\"([^\"]*)\"|\\S+")]
    private static partial Regex WordPattern();

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BeyondNll.Cluster.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root (BeyondNll.Cluster.sln) is not above " + AppContext.BaseDirectory);
    }
}
