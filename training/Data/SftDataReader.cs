using System.Text.Json;
using System.Text.Json.Nodes;

namespace BeyondNll.Training.Data;

/// <summary>
/// Reads SFT examples from JSON lines (<c>.jsonl</c>, <c>.json</c>) or parquet (<c>.parquet</c>)
/// files. Every row must yield an example: a bad row stops the read with an
/// <see cref="InvalidDataException"/> of the form <c>"train.jsonl: row 7: key 'response' is
/// missing"</c>, because silently dropping rows would change the data a search is judged on.
/// </summary>
/// <remarks>
/// Rows are numbered from 1. In JSON lines a row is a line, so the number is the line number an
/// editor shows; blank lines are skipped (but still counted). In parquet rows are counted across
/// all row groups, and a null value reads as a missing key. An empty prompt is accepted; an empty response is not, as it would leave
/// only the end-of-sequence token to learn.
/// </remarks>
public static class SftDataReader
{
    public static IReadOnlyList<SftExample> Read(string path, SftFieldMap? map = null) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" or ".json" => ReadJsonl(path, map),
            ".parquet" => ReadParquet(path, map),
            var other => throw new ArgumentException(
                $"{path}: unknown data format '{other}'; expected .jsonl or .json (JSON lines) or .parquet"),
        };

    public static IReadOnlyList<SftExample> ReadJsonl(string path, SftFieldMap? map = null)
    {
        RequireFile(path);
        var examples = new List<SftExample>();
        int row = 0;
        foreach (var line in File.ReadLines(path))
        {
            row++;
            if (!string.IsNullOrWhiteSpace(line))
                examples.Add(ParseRow(path, row, () => ParseJson(line), map));
        }
        return RequireRows(path, examples);
    }

    public static IReadOnlyList<SftExample> ReadParquet(string path, SftFieldMap? map = null)
    {
        RequireFile(path);
        var rows = ParquetRows.Read(path);
        var examples = new List<SftExample>(rows.Count);
        for (int i = 0; i < rows.Count; i++)
            examples.Add(ParseRow(path, i + 1, () => rows[i], map));
        return RequireRows(path, examples);
    }

    static SftExample ParseRow(string path, int row, Func<JsonNode?> readRow, SftFieldMap? map)
    {
        try
        {
            return SftRowParser.Parse(readRow(), map ?? SftFieldMap.Default);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: row {row}: {e.Message}", e);
        }
    }

    static JsonNode? ParseJson(string line)
    {
        try
        {
            return JsonNode.Parse(line);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not valid JSON: {e.Message}", e);
        }
    }

    static void RequireFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"data file not found: {path}", path);
    }

    static IReadOnlyList<SftExample> RequireRows(string path, List<SftExample> examples) =>
        examples.Count > 0 ? examples : throw new InvalidDataException($"{path}: the file has no rows");
}
