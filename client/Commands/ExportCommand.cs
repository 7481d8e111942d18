using System.CommandLine;
using BeyondNll.Grains;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll export NAME --format verl</c>: a study's answer (its winning objective, the confirmation's
/// when it has one) as the flag of the paper's trainer (verl), e.g.
/// <c>trainer.objective_trans=GeneralFamily-10</c>, to paste into a training run.
/// </summary>
public static class ExportCommand
{
    public static IReadOnlyList<string> Formats { get; } = ["verl"];

    /// <summary>The export; <c>lr</c> is the winner's learning rate, <c>confirmed</c> whether the answer is the confirmation's.</summary>
    public sealed record ExportJson(string Study, string Format, string Objective, string PaperKey, string Flag, double? Value,
        double Lr, bool Confirmed);

    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The study." };
        var format = new Option<string>("--format") { Description = $"Whose flag to write: {string.Join(", ", Formats)}.", DefaultValueFactory = _ => "verl" };
        var json = ClusterCommandLine.Json();
        var gateway = ClusterCommandLine.Gateway();
        var command = new Command("export", "Print a study's answer (its winning objective) as a trainer flag.") { name, format, json, gateway };
        command.SetAction(async (parse, ct) =>
        {
            var chosen = parse.GetValue(format)!;
            CheckFormat(chosen);
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
