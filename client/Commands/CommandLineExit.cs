using System.CommandLine;
using System.CommandLine.Parsing;
using BeyondNll.Client.Cluster;
using BeyondNll.Silo.Hosting.CommandLine;

namespace BeyondNll.Client.Commands;

/// <summary>
/// Runs the parsed command and turns the errors a user can cause (bad arguments, missing or
/// malformed files) into one clear line on stderr and a non-zero exit code, not a stack trace.
/// The layers below report such errors with the BCL's own exception types
/// (FormatException, ArgumentException, FileNotFoundException, InvalidDataException, ...),
/// so they stay free of any console concern.
/// </summary>
public static class CommandLineExit
{
    /// <summary>A run that started but failed (for example a training run that diverged).</summary>
    public const int Failed = 1;

    /// <summary>Input the user can fix: bad arguments, missing or malformed files.</summary>
    public const int BadInput = 2;

    /// <summary>No silo answers at the gateway, or the cluster stopped answering.</summary>
    public const int Unreachable = 3;

    /// <summary>The user pressed Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>How long a command may take to wind up after Ctrl-C.</summary>
    public static readonly TimeSpan InterruptPatience = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        try
        {
            var parsed = root.Parse(args);
            // A missing option or a value of the wrong type is bad input too: exit 2, not the
            // parser's default 1. Help and version requests have no errors and run as usual.
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
                if (TypoSuggestions.For(parsed) is { Count: > 0 } names) Console.Error.WriteLine($"did you mean {string.Join(" or ", names)}?");
                Console.Error.WriteLine($"(see {string.Join(' ', ["bnll", .. CommandPath(parsed), "--help"])})");
                return BadInput;
            }
            // Ctrl-C cancels the command's token; it then has a few seconds to say what it leaves
            // behind (a study that runs on) before the process ends with 130 regardless.
            var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = InterruptPatience };
            return await parsed.InvokeAsync(config);
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (ClusterUnreachableException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Unreachable;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return Failed;
        }
        catch (Exception e)
        {
            // Not the user's doing (a bug, or a failure in the cluster that could not be sent back whole):
            // one line, and the whole trace only when asked for, for a bug report.
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}");
            Console.Error.WriteLine(Environment.GetEnvironmentVariable(TraceVariable) == "1"
                ? e.ToString()
                : $"(an unexpected failure; the silo's log may say more, and {TraceVariable}=1 prints the whole trace)");
            return Failed;
        }
    }

    /// <summary>Set to 1 to print the whole trace of an unexpected failure.</summary>
    public const string TraceVariable = "BNLL_TRACE";

    static IEnumerable<string> CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var result = parsed.CommandResult; result.Parent is CommandResult parent; result = parent)
            names.Insert(0, result.Command.Name);
        return names;
    }

    static bool IsBadInput(Exception e) => e is FormatException or ArgumentException
        or FileNotFoundException or DirectoryNotFoundException or InvalidDataException;
}
