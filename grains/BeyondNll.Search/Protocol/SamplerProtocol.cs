using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Diagnostics;
using System.Text.Json;
using BeyondNll.Search.Pruners;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Protocol;

/// <summary>
/// The ask/tell protocol of <c>bnll sampler --stdio</c>: one JSON object per input line, exactly
/// one JSON answer line per input line.
/// <code>
/// {"op":"ask"}                                  → {"trial":N,"params":{...active parameters...}}
/// {"op":"tell","trial":N,"value":X}             → {"ok":true}
/// {"op":"tell","trial":N,"state":"failed"}      → {"ok":true}    (or "pruned")
/// {"op":"report","trial":N,"step":S,"value":X}  → {"ok":true}    (+ "prune":true|false with a pruner)
/// {"op":"enqueue","params":{...}}               → {"ok":true}
/// {"op":"best"}                                 → {"trial":N,"params":{...},"value":X}
/// {"op":"stats"}                                → {"asks":N,"tells":M,"sampler_seconds":S}
/// anything wrong                                → {"error":"..."} and the stream goes on
/// </code>
/// Parameters are written as the user sees them: ints as integers, categoricals as their choice
/// values. <c>report</c> is this project's addition: it feeds pruners, and lets a pruned trial be
/// ranked by its last intermediate value. <c>stats</c> too: the time spent inside the sampler's
/// ask and tell, measured in this process, so that a benchmark can time the sampler without the
/// pipe and the JSON around it (what a study grain, which calls it in its own process, pays).
/// </summary>
public sealed class SamplerProtocol(ISampler sampler, IPruner? pruner = null)
{
    const string Ops = "ask, tell, report, enqueue, best, stats";

    // Relaxed escaping: messages keep their quotes readable ("trial" rather than \u0022trial\u0022).
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly ArrayBufferWriter<byte> _buffer = new(256);

    // What stats reports: asks and tells answered, and the time spent inside the sampler for them.
    readonly Stopwatch _inSampler = new();
    int _asks, _tells;

    /// <summary>Answers every line of <paramref name="input"/> until it ends; flushes after each answer.</summary>
    public void Run(TextReader input, TextWriter output)
    {
        while (input.ReadLine() is { } line)
        {
            output.WriteLine(Handle(line));
            output.Flush();
        }
    }

    /// <summary>The answer line (without newline) to one input line. Never throws for bad input.</summary>
    public string Handle(string line)
    {
        _buffer.Clear();
        using (var writer = new Utf8JsonWriter(_buffer, WriterOptions))
        {
            try
            {
                using var doc = Parse(line);
                Dispatch(doc.RootElement, writer);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
            {
                writer.Reset(_buffer);
                _buffer.Clear();
                writer.WriteStartObject();
                writer.WriteString("error", e.Message);
                writer.WriteEndObject();
            }
        }
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    static JsonDocument Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
            throw new FormatException($"empty line; expected a JSON object with \"op\" ({Ops})");
        try { return JsonDocument.Parse(line); }
        catch (JsonException e) { throw new FormatException($"not valid JSON: {e.Message}"); }
    }

    void Dispatch(JsonElement message, Utf8JsonWriter w)
    {
        if (message.ValueKind != JsonValueKind.Object)
            throw new FormatException($"expected a JSON object with \"op\" ({Ops})");
        if (!message.TryGetProperty("op", out var op) || op.ValueKind != JsonValueKind.String)
            throw new FormatException($"missing \"op\" ({Ops})");
        switch (op.GetString())
        {
            case "ask": Ask(w); break;
            case "tell": Tell(message); WriteOk(w); break;
            case "report": Report(message, w); break;
            case "enqueue": Enqueue(message); WriteOk(w); break;
            case "best": Best(w); break;
            case "stats": Stats(w); break;
            default: throw new FormatException($"unknown op \"{op.GetString()}\" ({Ops})");
        }
    }

    void Ask(Utf8JsonWriter w)
    {
        TrialRecord trial;
        _inSampler.Start();
        try { trial = sampler.Ask(); }
        finally { _inSampler.Stop(); }
        _asks++;
        w.WriteStartObject();
        w.WriteNumber("trial", trial.Number);
        WriteParams(w, trial);
        w.WriteEndObject();
    }

    void Tell(JsonElement message)
    {
        var trial = TrialNumber(message);
        var hasValue = message.TryGetProperty("value", out var value);
        var hasState = message.TryGetProperty("state", out var state);
        if (hasValue && hasState)
            throw new FormatException("tell takes \"value\" or \"state\", not both");
        Action told;
        if (hasValue)
        {
            var number = Number(value, "value");
            told = () => sampler.Tell(trial, number);
        }
        else if (hasState && state.ValueKind == JsonValueKind.String && state.GetString() == "failed")
            told = () => sampler.TellFailed(trial);
        else if (hasState && state.ValueKind == JsonValueKind.String && state.GetString() == "pruned")
            told = () => sampler.TellPruned(trial);
        else if (hasState)
            throw new FormatException($"\"state\" must be \"failed\" or \"pruned\", got {state.GetRawText()}");
        else
            throw new FormatException("tell needs \"value\" (a number) or \"state\" (\"failed\" or \"pruned\")");
        _inSampler.Start();
        try { told(); }
        finally { _inSampler.Stop(); }
        _tells++;
    }

    void Stats(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("asks", _asks);
        w.WriteNumber("tells", _tells);
        w.WriteNumber("sampler_seconds", _inSampler.Elapsed.TotalSeconds);
        w.WriteEndObject();
    }

    void Report(JsonElement message, Utf8JsonWriter w)
    {
        var number = TrialNumber(message);
        if (!message.TryGetProperty("step", out var stepJson) || stepJson.ValueKind != JsonValueKind.Number
            || !stepJson.TryGetInt32(out var step) || step < 0)
            throw new FormatException("report needs \"step\", an integer of zero or more");
        if (!message.TryGetProperty("value", out var value))
            throw new FormatException("report needs \"value\", a number");
        sampler.Report(number, step, Number(value, "value"));
        w.WriteStartObject();
        w.WriteBoolean("ok", true);
        if (pruner is not null)
        {
            var decision = pruner.Decide(sampler.History, sampler.History.Get(number), sampler.Direction);
            w.WriteBoolean("prune", decision == PruneDecision.Prune);
        }
        w.WriteEndObject();
    }

    void Enqueue(JsonElement message)
    {
        if (!message.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
            throw new FormatException("enqueue needs \"params\", an object of parameter name to value");
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var property in parameters.EnumerateObject())
        {
            if (!sampler.Space.TryGet(property.Name, out var spec))
                throw new ArgumentException($"parameter '{property.Name}' is not in the search space");
            values[property.Name] = spec.ReadValue(property.Value);
        }
        sampler.Enqueue(values);
    }

    void Best(Utf8JsonWriter w)
    {
        var best = sampler.Best ?? throw new InvalidOperationException("no trial is complete yet");
        w.WriteStartObject();
        w.WriteNumber("trial", best.Number);
        WriteParams(w, best);
        w.WriteNumber("value", best.Value!.Value);
        w.WriteEndObject();
    }

    void WriteParams(Utf8JsonWriter w, TrialRecord trial)
    {
        w.WriteStartObject("params");
        foreach (var spec in sampler.Space.Parameters)
        {
            if (!trial.Params.TryGetValue(spec.Name, out var value))
                continue;
            w.WritePropertyName(spec.Name);
            spec.WriteValue(w, value);
        }
        w.WriteEndObject();
    }

    static void WriteOk(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteBoolean("ok", true);
        w.WriteEndObject();
    }

    static int TrialNumber(JsonElement message)
    {
        if (!message.TryGetProperty("trial", out var trial) || trial.ValueKind != JsonValueKind.Number
            || !trial.TryGetInt32(out var number))
            throw new FormatException("\"trial\" must be the integer number an ask returned");
        return number;
    }

    static double Number(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.Number ? value.GetDouble()
            : throw new FormatException($"\"{field}\" must be a number, got {value.GetRawText()}");
}
