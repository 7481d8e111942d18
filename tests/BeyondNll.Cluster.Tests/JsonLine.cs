using System.Text.Json;
using BeyondNll.Client.Commands;

namespace BeyondNll.Cluster.Tests;

/// <summary>What a `--json` answer looks like to a script: one line, parsed back.</summary>
static class JsonLine
{
    public static JsonElement Of<T>(T value)
    {
        var writer = new StringWriter();
        JsonOutput.Write(writer, value);
        var text = writer.ToString();
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>The field names of an object, in order.</summary>
    public static string[] Names(JsonElement o) => o.EnumerateObject().Select(p => p.Name).ToArray();
}
