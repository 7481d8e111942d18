using System.CommandLine;
using BeyondNll.Grains;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll export NAME --format verl</c>: a study's answer (its winning objective, the confirmation's
/// when it has one) as the flag of the paper's trainer (verl), e.g.
/// <c>trainer.objective_trans=GeneralFamily-10</c>, to paste into a training run.
/// <c>--format hf --out DIR</c>: the winner's trained model as a folder (<see cref="ModelExport"/>).
/// </summary>
public static class ExportCommand
{
    public static IReadOnlyList<string> Formats { get; } = ["verl", "hf"];

    /// <summary>The export; <c>lr</c> is the winner's learning rate, <c>confirmed</c> whether the answer is the confirmation's.</summary>
    public sealed record ExportJson(string Study, string Format, string Objective, string PaperKey, string Flag, double? Value,
        double Lr, bool Confirmed);

    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The study." };
        var format = new Option<string>("--format") { Description = "What to write: verl (the paper trainer's flag for the answer) or hf (the winning model as a folder, with --out).", DefaultValueFactory = _ => "verl" };
        var outFolder = new Option<string?>("--out") { Description = "With --format hf: a new folder to write the winning model into." };
        var json = ClusterCommandLine.Json();
        var gateway = ClusterCommandLine.Gateway();
        var command = new Command("export", "Print a study's answer (its winning objective) as a trainer flag, or write its winning model (--format hf).")
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
                else Console.Out.WriteLine(export.Flag);
                return 0;
            });
        });
        return command;
    }

    /// <exception cref="ArgumentException">An unknown format, or a study with no finished trial.</exception>
    public static ExportJson Export(StudyStatus status, string format)
    {
        CheckFormat(format);
        if (format != "verl") throw new ArgumentException($"--format {format} writes a model, not a flag: give --out DIR");
        if (status.Answer is not { } answer)
            throw new ArgumentException($"study {status.Study} has no finished trial yet ({SearchStatusView.Name(status.State)}): nothing to export");
        var key = Objective.Parse(answer.Objective).PaperKey;
        return new ExportJson(status.Study, format, answer.Objective, key, $"trainer.objective_trans={key}", answer.Value,
            answer.LearningRate, answer.Confirmed);
    }

    static void CheckFormat(string format)
    {
        if (!Formats.Contains(format))
            throw new ArgumentException($"--format '{format}' is unknown; known: {string.Join(", ", Formats)}");
    }
}
