using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet.Serialization;

namespace BeyondNll.Training.Data;

/// <summary>
/// Reads the rows of a parquet file, every row group, as JSON objects, so that
/// <see cref="SftRowParser"/> treats parquet and JSON lines alike. Parquet.Net's untyped
/// deserializer does the Dremel assembly: structs come back as dictionaries and lists as lists,
/// which is exactly the nesting that dotted keys and chat prompts walk.
/// </summary>
internal static class ParquetRows
{
    public static IReadOnlyList<JsonObject> Read(string path)
    {
        using var stream = File.OpenRead(path);
        IList<Dictionary<string, object>> rows;
        try
        {
            // Blocking on the async reader is safe: this library's callers (the console, tests,
            // trial worker processes) run without a synchronization context to deadlock on.
            rows = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult().Data;
        }
        catch (Exception e)
        {
            // Parquet.Net reports a damaged file with several exception types; the user
            // needs to know only that the file is not readable parquet, and why.
            throw new InvalidDataException($"{path}: not a readable parquet file: {e.Message}", e);
        }
        return rows.Select(row => (JsonObject)ToJson(row)!).ToList();
    }

    static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        // Checked before IEnumerable, which a dictionary also is.
        IDictionary dictionary => ToJsonObject(dictionary),
        IEnumerable items => new JsonArray(items.Cast<object?>().Select(ToJson).ToArray()),
        _ => JsonSerializer.SerializeToNode(value),
    };

    static JsonObject ToJsonObject(IDictionary dictionary)
    {
        var json = new JsonObject();
        foreach (DictionaryEntry entry in dictionary)
            json[(string)entry.Key] = ToJson(entry.Value);
        return json;
    }
}
