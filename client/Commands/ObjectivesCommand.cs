using System.CommandLine;
using BeyondNll.Training.Objectives;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>`bnll objectives`: the objective family with its CLI specs, paper keys and formulas.</summary>
public static class ObjectivesCommand
{
    sealed record Row(string Spec, string PaperKey, string Formula);

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("objectives", "List the objective family: CLI specs, paper keys, f(p).") { json };
        command.SetAction(parse =>
        {
            var rows = Objective.FamilyTable.Select(r => new Row(r.Spec, r.PaperKey, r.Formula)).ToList();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { objectives = rows });
                return 0;
            }
            var table = new Table().AddColumns("spec", "paper key", "f(p)");
            foreach (var r in rows) table.AddRow(Markup.Escape(r.Spec), Markup.Escape(r.PaperKey), Markup.Escape(r.Formula));
            AnsiConsole.Write(table);
            Console.WriteLine("p is the model's probability of the label token; prompt tokens are masked out.");
            return 0;
        });
        return command;
    }
}
