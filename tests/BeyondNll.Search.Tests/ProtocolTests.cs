using System.Text.Json;
using BeyondNll.Search.Protocol;
using BeyondNll.Search.Pruners;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Samplers.Tpe;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Tests;

public class ProtocolTests
{
    static readonly SearchSpace Space = SearchSpace.FromJson("""
        {"params": [
          {"name": "family", "type": "categorical", "choices": ["nll", "power"]},
          {"name": "k", "type": "float", "low": 0.05, "high": 20, "log": true, "when": {"family": ["power"]}},
          {"name": "warmup", "type": "int", "low": 0, "high": 10}
        ]}
        """);

    readonly SamplerProtocol _protocol = new(new TpeSampler(Space, seed: 1), new AshaPruner(1, 2));

    JsonElement Send(string line) => JsonDocument.Parse(_protocol.Handle(line)).RootElement;

    [Fact]
    public void Ask_returns_the_trial_number_and_only_active_parameters_as_the_user_wrote_them()
    {
        for (var n = 0; n < 20; n++)
        {
            var answer = Send("""{"op":"ask"}""");
            Assert.Equal(n, answer.GetProperty("trial").GetInt32());
            var p = answer.GetProperty("params");
            var family = p.GetProperty("family").GetString();
            Assert.Contains(family, new[] { "nll", "power" });
            Assert.Equal(family == "power", p.TryGetProperty("k", out _));
            Assert.True(p.GetProperty("warmup").TryGetInt32(out _), "an int is written as an integer");
            Assert.DoesNotContain(".", p.GetProperty("warmup").GetRawText());
        }
    }

    [Fact]
    public void Tell_enqueue_report_and_best_answer_as_documented()
    {
        Assert.Equal("""{"ok":true}""", _protocol.Handle("""{"op":"enqueue","params":{"family":"power","k":4,"warmup":3}}"""));
        Assert.Equal("""{"trial":0,"params":{"family":"power","k":4,"warmup":3}}""", _protocol.Handle("""{"op":"ask"}"""));
        Send("""{"op":"ask"}""");
        Send("""{"op":"ask"}""");
        Assert.Equal("""{"ok":true}""", _protocol.Handle("""{"op":"tell","trial":0,"value":0.25}"""));
        Assert.Equal("""{"ok":true,"prune":false}""", _protocol.Handle("""{"op":"report","trial":1,"step":1,"value":0.5}"""));
        Assert.Equal("""{"ok":true,"prune":true}""", _protocol.Handle("""{"op":"report","trial":2,"step":1,"value":0.9}"""));
        Assert.Equal("""{"ok":true}""", _protocol.Handle("""{"op":"tell","trial":1,"state":"failed"}"""));
        Assert.Equal("""{"ok":true}""", _protocol.Handle("""{"op":"tell","trial":2,"state":"pruned"}"""));

        Assert.Equal("""{"trial":0,"params":{"family":"power","k":4,"warmup":3},"value":0.25}""", _protocol.Handle("""{"op":"best"}"""));
    }

    [Fact]
    public void Stats_counts_the_asks_and_tells_answered_and_the_time_spent_inside_the_sampler()
    {
        var empty = Send("""{"op":"stats"}""");
        Assert.Equal(0, empty.GetProperty("asks").GetInt32());
        Assert.Equal(0, empty.GetProperty("tells").GetInt32());
        Assert.Equal(0.0, empty.GetProperty("sampler_seconds").GetDouble());

        for (var n = 0; n < 12; n++)
        {
            Send("""{"op":"ask"}""");
            Send($$"""{"op":"tell","trial":{{n}},"value":{{n % 5}}}""");
        }
        Send("""{"op":"tell","trial":99,"value":1}"""); // refused: not counted
        var stats = Send("""{"op":"stats"}""");
        Assert.Equal(12, stats.GetProperty("asks").GetInt32());
        Assert.Equal(12, stats.GetProperty("tells").GetInt32());
        var seconds = stats.GetProperty("sampler_seconds").GetDouble();
        Assert.True(seconds > 0, "twelve TPE asks take some time");
        Assert.True(Send("""{"op":"stats"}""").GetProperty("sampler_seconds").GetDouble() == seconds, "stats itself is not counted");
    }

    [Theory]
    [InlineData("", "empty line; expected a JSON object with \"op\"")]
    [InlineData("{not json", "not valid JSON:")]
    [InlineData("[1,2]", "expected a JSON object with \"op\"")]
    [InlineData("""{"trial":0}""", "missing \"op\"")]
    [InlineData("""{"op":"fly"}""", "unknown op \"fly\" (ask, tell, report, enqueue, best, stats)")]
    [InlineData("""{"op":"tell","value":1}""", "\"trial\" must be the integer number an ask returned")]
    [InlineData("""{"op":"tell","trial":"0","value":1}""", "\"trial\" must be the integer number an ask returned")]
    [InlineData("""{"op":"tell","trial":1.5,"value":1}""", "\"trial\" must be the integer number an ask returned")]
    [InlineData("""{"op":"tell","trial":7,"value":1}""", "trial 7 was never asked")]
    [InlineData("""{"op":"tell","trial":0}""", "tell needs \"value\" (a number) or \"state\" (\"failed\" or \"pruned\")")]
    [InlineData("""{"op":"tell","trial":0,"value":"low"}""", "\"value\" must be a number, got \"low\"")]
    [InlineData("""{"op":"tell","trial":0,"state":"done"}""", "\"state\" must be \"failed\" or \"pruned\", got \"done\"")]
    [InlineData("""{"op":"tell","trial":0,"value":1,"state":"failed"}""", "tell takes \"value\" or \"state\", not both")]
    [InlineData("""{"op":"report","trial":0,"value":1}""", "report needs \"step\", an integer of zero or more")]
    [InlineData("""{"op":"report","trial":0,"step":-1,"value":1}""", "report needs \"step\", an integer of zero or more")]
    [InlineData("""{"op":"report","trial":0,"step":1}""", "report needs \"value\", a number")]
    [InlineData("""{"op":"enqueue"}""", "enqueue needs \"params\", an object of parameter name to value")]
    [InlineData("""{"op":"enqueue","params":{"depth":3}}""", "parameter 'depth' is not in the search space")]
    [InlineData("""{"op":"enqueue","params":{"family":"sgd"}}""", "parameter 'family': \"sgd\" is not one of its choices")]
    [InlineData("""{"op":"enqueue","params":{"warmup":2.5}}""", "parameter 'warmup': 2.5 is outside an int in [0, 10]")]
    [InlineData("""{"op":"enqueue","params":{"warmup":"2"}}""", "parameter 'warmup': expected a number, got \"2\"")]
    [InlineData("""{"op":"enqueue","params":{"family":"nll","k":2}}""", "parameter 'k' is not active for the other values given")]
    public void Every_bad_line_gets_an_error_and_the_stream_goes_on(string line, string expected)
    {
        Send("""{"op":"ask"}""");

        var error = Send(line).GetProperty("error").GetString();

        Assert.StartsWith(expected, error);
        Assert.Equal(1, Send("""{"op":"ask"}""").GetProperty("trial").GetInt32());
    }

    [Fact]
    public void Telling_twice_best_before_any_result_and_asking_an_exhausted_grid_are_errors()
    {
        Assert.Equal("no trial is complete yet", Send("""{"op":"best"}""").GetProperty("error").GetString());
        Send("""{"op":"ask"}""");
        Send("""{"op":"tell","trial":0,"value":1}""");
        Assert.Equal("trial 0 is already complete; cannot tell it again",
            Send("""{"op":"tell","trial":0,"value":2}""").GetProperty("error").GetString());

        var grid = new SamplerProtocol(new GridSampler(NamedSpaces.CreatePaperGrid()));
        for (var i = 0; i < NamedSpaces.PaperObjectives.Count; i++)
            grid.Handle("""{"op":"ask"}""");
        Assert.StartsWith("""{"error":"the grid is exhausted""", grid.Handle("""{"op":"ask"}"""));
    }

    [Fact]
    public void Run_answers_each_line_with_one_line_until_the_input_ends()
    {
        var input = new StringReader("{\"op\":\"ask\"}\nnonsense\n{\"op\":\"tell\",\"trial\":0,\"value\":3}\n\n{\"op\":\"best\"}\n");
        var output = new StringWriter();

        new SamplerProtocol(new RandomSampler(Space, StudyDirection.Maximize, 3)).Run(input, output);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.Contains("\"error\"", lines[1]);
        Assert.Contains("\"error\"", lines[3]);
        Assert.EndsWith(",\"value\":3}", lines[4]);
    }
}
