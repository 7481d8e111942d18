using System.Text;
using System.Text.Json;

namespace BeyondNll.Search.Spaces;

/// <summary>
/// The JSON form of a search space, which <c>bnll search start --space FILE</c> and
/// <c>bnll sampler --space FILE</c> read:
/// <code>
/// {"params": [
///   {"name": "family", "type": "categorical", "choices": ["nll", "power"]},
///   {"name": "k", "type": "float", "low": 0.05, "high": 20, "log": true, "when": {"family": ["power"]}},
///   {"name": "warmup", "type": "int", "low": 0, "high": 10, "step": 2}
/// ]}
/// </code>
/// Shape errors are <see cref="FormatException"/>s; value errors come from <see cref="SearchSpace"/>.
/// </summary>
public static class SearchSpaceJson
{
    static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static SearchSpace Parse(string json)
    {
        using var doc = ParseDocument(() => JsonDocument.Parse(json, Lenient));
        return Parse(doc.RootElement);
    }

    public static SearchSpace Parse(Stream utf8Json)
    {
        using var doc = ParseDocument(() => JsonDocument.Parse(utf8Json, Lenient));
        return Parse(doc.RootElement);
    }

    static JsonDocument ParseDocument(Func<JsonDocument> parse)
    {
        try { return parse(); }
        catch (JsonException e) { throw new FormatException($"search space is not valid JSON: {e.Message}", e); }
    }

    static SearchSpace Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("params", out var list)
            || list.ValueKind != JsonValueKind.Array)
            throw new FormatException("a search space is a JSON object with a \"params\" array");
        var specs = new List<ParameterSpec>();
        var byName = new Dictionary<string, ParameterSpec>(StringComparer.Ordinal);
        var position = 0;
        foreach (var item in list.EnumerateArray())
        {
            position++;
            var spec = ParseParameter(item, position, byName);
            specs.Add(spec);
            byName.TryAdd(spec.Name, spec);
        }
        return new SearchSpace(specs);
    }

    static ParameterSpec ParseParameter(JsonElement item, int position, Dictionary<string, ParameterSpec> earlier)
    {
        if (item.ValueKind != JsonValueKind.Object)
            throw new FormatException($"parameter #{position} is not a JSON object");
        if (!item.TryGetProperty("name", out var nameJson) || nameJson.ValueKind != JsonValueKind.String
            || string.IsNullOrWhiteSpace(nameJson.GetString()))
            throw new FormatException($"parameter #{position} needs a \"name\" string");
        var name = nameJson.GetString()!;
        var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var when = ParseWhen(item, name, earlier);
        var log = OptionalBool(item, name, "log");
        switch (type)
        {
            case "float":
                return ParameterSpec.Float(name, Number(item, name, "low"), Number(item, name, "high"), log,
                    OptionalNumber(item, name, "step"), when);
            case "int":
                var low = Number(item, name, "low");
                var high = Number(item, name, "high");
                var step = OptionalNumber(item, name, "step") ?? 1;
                if (low != Math.Floor(low) || high != Math.Floor(high) || step != Math.Floor(step))
                    throw new ArgumentException($"parameter '{name}': low, high and step of an int must be integers");
                return ParameterSpec.Int(name, (long)low, (long)high, log, (long)step, when);
            case "categorical":
                if (!item.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
                    throw new FormatException($"parameter '{name}': a categorical needs a \"choices\" array");
                return ParameterSpec.Categorical(name, choices.EnumerateArray().Select(c => c.Clone()).ToArray(), when);
            default:
                throw new FormatException($"parameter '{name}': \"type\" must be \"float\", \"int\" or \"categorical\"");
        }
    }

    /// <summary>Reads <c>"when": {"parent": [values...]}</c>, mapping values to the parent's choice indices.</summary>
    static IReadOnlyList<ParameterCondition>? ParseWhen(JsonElement item, string name, Dictionary<string, ParameterSpec> earlier)
    {
        if (!item.TryGetProperty("when", out var when) || when.ValueKind == JsonValueKind.Null)
            return null;
        if (when.ValueKind != JsonValueKind.Object)
            throw new FormatException($"parameter '{name}': \"when\" must be an object of parent name to list of values");
        var conditions = new List<ParameterCondition>();
        foreach (var property in when.EnumerateObject())
        {
            if (!earlier.TryGetValue(property.Name, out var parent))
                throw new ArgumentException($"parameter '{name}': unknown parent '{property.Name}' (a parent must be declared before its children)");
            if (parent.Kind != ParameterKind.Categorical)
                throw new ArgumentException($"parameter '{name}': parent '{property.Name}' must be categorical");
            var values = property.Value.ValueKind == JsonValueKind.Array ? property.Value.EnumerateArray().ToList() : [property.Value];
            var allowed = new SortedSet<int>();
            foreach (var v in values)
            {
                var index = FindChoice(parent, v);
                if (index < 0)
                    throw new ArgumentException($"parameter '{name}': {v.GetRawText()} is not a choice of its parent '{parent.Name}'");
                allowed.Add(index);
            }
            conditions.Add(new ParameterCondition(parent.Name, allowed.ToArray()));
        }
        return conditions;
    }

    static int FindChoice(ParameterSpec parent, JsonElement value)
    {
        for (var i = 0; i < parent.Choices.Count; i++)
            if (JsonElement.DeepEquals(parent.Choices[i], value))
                return i;
        return -1;
    }

    static double Number(JsonElement item, string name, string field) =>
        OptionalNumber(item, name, field) ?? throw new FormatException($"parameter '{name}': \"{field}\" is required");

    static double? OptionalNumber(JsonElement item, string name, string field)
    {
        if (!item.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.Number)
            throw new FormatException($"parameter '{name}': \"{field}\" must be a number");
        return v.GetDouble();
    }

    static bool OptionalBool(JsonElement item, string name, string field)
    {
        if (!item.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            return false;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new FormatException($"parameter '{name}': \"{field}\" must be true or false"),
        };
    }

    public static string Write(SearchSpace space)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("params");
            foreach (var p in space.Parameters)
                WriteParameter(w, space, p);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    static void WriteParameter(Utf8JsonWriter w, SearchSpace space, ParameterSpec p)
    {
        w.WriteStartObject();
        w.WriteString("name", p.Name);
        switch (p.Kind)
        {
            case ParameterKind.Categorical:
                w.WriteString("type", "categorical");
                w.WriteStartArray("choices");
                foreach (var c in p.Choices)
                    c.WriteTo(w);
                w.WriteEndArray();
                break;
            default:
                var isInt = p.Kind == ParameterKind.Int;
                w.WriteString("type", isInt ? "int" : "float");
                p.WriteValue(w.WritePropertyNameThen("low"), p.Low);
                p.WriteValue(w.WritePropertyNameThen("high"), p.High);
                if (p.Log)
                    w.WriteBoolean("log", true);
                if (p.Step is { } step && !(isInt && step == 1))
                    p.WriteValue(w.WritePropertyNameThen("step"), step);
                break;
        }
        if (p.IsConditional)
        {
            w.WriteStartObject("when");
            foreach (var condition in p.When)
            {
                w.WriteStartArray(condition.Parent);
                foreach (var index in condition.AllowedChoices)
                    space[condition.Parent].Choices[index].WriteTo(w);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    static Utf8JsonWriter WritePropertyNameThen(this Utf8JsonWriter w, string name)
    {
        w.WritePropertyName(name);
        return w;
    }
}
