using System.CommandLine;
using BeyondNll.Client.Export;
using BeyondNll.Grains;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll export NAME --format verl</c>: a study's answer (its winning objective, the confirmation's
/// when it has one) as the whole recipe it won with, in a trainer's own flags, one per line, e.g.
/// <c>trainer.objective_trans=GeneralFamily-10</c> and <c>optim.lr=0.0001</c> for the paper's trainer
/// (verl). A recipe the trainer cannot run as it is is refused (exit 2) with the reason.
/// <c>--format hf --out DIR</c>: the winner's trained model as a folder (<see cref="ModelExport"/>).
/// </summary>
public static class ExportCommand
{
    public static IReadOnlyList<string> Formats { get; } = ["verl", "hf"];

    /// <summary>
    /// The export: <c>flag</c> the objective's flag, <c>flags</c> every flag of the recipe, <c>lr</c> the
    /// winner's learning rate, <c>confirmed</c> whether the answer is the confirmation's, <c>workload</c>
    /// the study's (simulated: a dry run, its answer made up).
    /// </summary>
    public sealed record ExportJson(string Study, string Format, string Objective, string PaperKey, string Flag, double? Value,
        double Lr, bool Confirmed, IReadOnlyList<string> Flags, double? TestValue, string Workload);

    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The study." };
        var format = new Option<string>("--format")
        {
            Description = "What to write: verl (the paper trainer's flags for the answer's whole recipe) or hf (the winning model as a folder, with --out).",
            DefaultValueFactory = _ => "verl",
        };
        var outFolder = new Option<string?>("--out") { Description = "With --format hf: a new folder to write the winning model into." };
        var json = ClusterCommandLine.Json();
        var gateway = ClusterCommandLine.Gateway();
        var command = new Command("export",
            "Print a study's answer (its winning objective and the recipe it won with) as a trainer's flags, or write its winning model (--format hf).")
            { name, format, outFolder, json, gateway };
        command.SetAction(async (parse, ct) =>
        {
            var chosen = parse.GetValue(format)!;
            CheckFormat(chosen);
            if (chosen == "hf")
            {
                ModelExport.CheckOut(parse.GetValue(outFolder));
                return await ClusterCommandLine.WithClusterAsync(parse, gateway, ct, async grains =>
                {
                    var model = await ModelExport.WriteAsync(grains, await SearchCommand.GetStatusAsync(grains, parse.GetValue(name)!, ct),
                        parse.GetValue(outFolder)!, ct);
                    if (parse.GetValue(json)) JsonOutput.Write(Console.Out, model);
                    else Console.Out.WriteLine($"trial {model.Trial} ({model.Objective}, lr {model.Lr:G3}) written to {model.Out}: {string.Join(", ", model.Files)}");
                    return 0;
                });
            }
            return await ClusterCommandLine.WithClusterAsync(parse, gateway, ct, async grains =>
            {
                var export = Export(await SearchCommand.GetStatusAsync(grains, parse.GetValue(name)!, ct), chosen);
                if (parse.GetValue(json)) JsonOutput.Write(Console.Out, export);
                else
                {
                    foreach (var flag in export.Flags) Console.Out.WriteLine(flag);
                    foreach (var note in Notes(export)) Console.Error.WriteLine($"note: {note}");
                }
                return 0;
            });
        });
        return command;
    }

    /// <exception cref="ArgumentException">An unknown format, a study with no finished trial, or a recipe the format's trainer cannot run.</exception>
    public static ExportJson Export(StudyStatus status, string format)
    {
        CheckFormat(format);
        if (format != "verl") throw new ArgumentException($"--format {format} writes a model, not a flag: give --out DIR");
        if (status.Answer is not { } answer)
            throw new ArgumentException($"study {status.Study} has no finished trial yet ({SearchStatusView.Name(status.State)}): nothing to export");
        // The winner's recipe as a trial of it trained (answers stored before the answer kept one: the study's),
        // with the answer's objective and rate, which are what the answer says won.
        var recipe = (answer.Recipe ?? status.Recipe) with { Objective = answer.Objective, LearningRate = answer.LearningRate };
        IReadOnlyList<string> flags;
        try
        {
            flags = Flags(format, recipe);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"study {status.Study}'s answer cannot be exported for {format}: {e.Message}", e);
        }
        var objectiveFlag = flags[0];
        return new ExportJson(status.Study, format, answer.Objective, objectiveFlag[(objectiveFlag.IndexOf('=') + 1)..], objectiveFlag,
            answer.Value, answer.LearningRate, answer.Confirmed, flags, answer.TestValue, status.Workload);
    }

    /// <summary>The recipe in a format's flags, the objective's first. Another format is another case here.</summary>
    static IReadOnlyList<string> Flags(string format, TrainingRecipe recipe) => format switch
    {
        "verl" => VerlFlags.Of(recipe),
        _ => throw new ArgumentException($"--format '{format}' is unknown; known: {string.Join(", ", Formats)}"),
    };

    /// <summary>What a user pasting the flags should know: an unconfirmed answer, a dry run.</summary>
    public static IEnumerable<string> Notes(ExportJson export)
    {
        if (!export.Confirmed) yield return $"study {export.Study}'s answer is unconfirmed (no confirmation on fresh seeds ran)";
        if (export.Workload != "torch") yield return $"study {export.Study} was a dry run ({export.Workload}): its answer is made up";
    }

    static void CheckFormat(string format)
    {
        if (!Formats.Contains(format))
            throw new ArgumentException($"--format '{format}' is unknown; known: {string.Join(", ", Formats)}");
    }
}
