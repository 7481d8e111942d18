using System.Text.Json;
using System.Text.Json.Nodes;

namespace BeyondNll.Training.Data;

/// <summary>
/// Turns one row of a data file, as a JSON object, into an <see cref="SftExample"/>. Parquet
/// rows are converted to the same JSON shape first, so both formats follow the same rules and
/// give the same messages. A bad row throws <see cref="InvalidDataException"/> that names only
/// the problem; <see cref="SftDataReader"/> adds the file and row.
/// </summary>
internal static class SftRowParser
{
    public static SftExample Parse(JsonNode? row, SftFieldMap map)
    {
        if (row is not JsonObject fields)
            throw new InvalidDataException($"expected a JSON object, found {Describe(row)}");

        var prompt = PromptText(Find(fields, map.PromptKey), map.PromptKey);
        var response = Text(Find(fields, map.ResponseKey), map.ResponseKey);
        if (response.Length == 0)
            throw new InvalidDataException("empty response");
        return new SftExample(prompt, response);
    }

    /// <summary>Follows a dotted key such as <c>extra_info.question</c> down nested objects.</summary>
    static JsonNode? Find(JsonObject row, string key)
    {
        JsonObject current = row;
        var parts = key.Split('.');
        for (int i = 0; ; i++)
        {
            if (!current.TryGetPropertyValue(parts[i], out var value))
                throw new InvalidDataException($"key '{key}' is missing");
            if (i == parts.Length - 1)
                return value;
            if (value is not JsonObject inner)
            {
                var parent = string.Join('.', parts[..(i + 1)]);
                throw new InvalidDataException(
                    $"key '{key}' is missing: '{parent}' is {Describe(value)}, not an object");
            }
            current = inner;
        }
    }

    /// <summary>A prompt is a string or a chat, of which the last user message counts.</summary>
    static string PromptText(JsonNode? value, string key)
    {
        if (value is not JsonArray messages)
            return Text(value, key);

        string? lastUserContent = null;
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message
                || !IsString(message["role"]) || !IsString(message["content"]))
                throw new InvalidDataException(
                    $"'{key}' is an array but item {i + 1} is not a chat message with string 'role' and 'content'");
            if (message["role"]!.GetValue<string>() == "user")
                lastUserContent = message["content"]!.GetValue<string>();
        }
        return lastUserContent
            ?? throw new InvalidDataException($"'{key}' is a chat without a user message");
    }

    static string Text(JsonNode? value, string key) => IsString(value)
        ? value!.GetValue<string>()
        : throw new InvalidDataException($"'{key}' is {Describe(value)}, expected a string");

    static bool IsString(JsonNode? value) => value?.GetValueKind() == JsonValueKind.String;

    static string Describe(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => "a boolean",
    };
}
