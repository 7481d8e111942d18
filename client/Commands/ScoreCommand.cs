using System.CommandLine;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Evaluation;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>`bnll score`: a text's tokens with their ids and log probabilities under a backbone.</summary>
public static class ScoreCommand
{
    public sealed record TokenJson(int Id, string Token, double? Logprob);

    /// <param name="SumLogprob">Sum over the scored tokens (all but the first).</param>
    public sealed record Report(string Backbone, IReadOnlyList<TokenJson> Tokens, double SumLogprob, double? MeanLogprob);

    public static Command Create()
    {
        var backbone = new Option<string>("--backbone") { Description = "Backbone folder (synthetic or Hugging Face).", Required = true };
        var text = new Option<string>("--text") { Description = "The text to score.", Required = true };
        var threads = TrainingConsole.Threads();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("score", "Tokenize a text and print each token's id and its log probability given the tokens before it (the first token has none).")
            { backbone, text, threads, json };
        command.SetAction(parse =>
        {
            TrainingConsole.SetThreads(parse.GetValue(threads));
            var folder = parse.GetValue(backbone)!;
            using var model = Backbone.Load(folder);
            var scores = TextScores.Score(model.Model, model.Tokenizer, parse.GetValue(text)!);
            var scored = scores.Where(s => s.LogProb is not null).Select(s => s.LogProb!.Value).ToList();
            var report = new Report(Path.GetFullPath(folder), scores.Select(s => new TokenJson(s.Id, s.Token, s.LogProb)).ToList(),
                scored.Sum(), scored.Count > 0 ? scored.Average() : null);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(parse.InvocationConfiguration.Output, report);
                return 0;
            }
            var table = new Table().AddColumns("#", "id", "token", "log p");
            for (int i = 0; i < scores.Count; i++)
                table.AddRow($"{i}", $"{scores[i].Id}", Markup.Escape(Visible(scores[i].Token)), scores[i].LogProb is double lp ? $"{lp:F4}" : "-");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"sum log p {report.SumLogprob:F4} over {scored.Count} tokens" +
                                   (report.MeanLogprob is double mean ? $", mean {mean:F4}" : ""));
            return 0;
        });
        return command;
    }

    // Whitespace made visible, so that " x" and "x" or a newline token can be told apart in the table.
    static string Visible(string token) => token.Replace(" ", "␣").Replace("\n", "\\n").Replace("\t", "\\t").Replace("\r", "\\r");
}
