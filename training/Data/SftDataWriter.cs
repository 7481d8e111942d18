using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BeyondNll.Training.Data;

/// <summary>
/// Writes SFT examples as JSON lines, <c>{"prompt": ..., "response": ...}</c> one per line,
/// the layout <see cref="SftDataReader"/> reads with the default <see cref="SftFieldMap"/>.
/// </summary>
public static class SftDataWriter
{
    // The default encoder escapes '+', '<', '>' and all non-ASCII text, which makes data such
    // as "347+58=" unreadable in an editor. These files are never embedded in HTML, so the
    // relaxed encoder, which escapes only what JSON itself requires, is the right one.
    static readonly JsonSerializerOptions LineOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Writes all examples to a temporary file in the target's folder and then moves it over
    /// <paramref name="path"/>, so a crash or a bad example never leaves a half-written file
    /// that a later run would read as complete.
    /// </summary>
    public static void WriteJsonl(string path, IEnumerable<SftExample> examples)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(false)))
            {
                writer.NewLine = "\n";
                foreach (var example in examples)
                    writer.WriteLine(JsonSerializer.Serialize(
                        new { prompt = example.Prompt, response = example.Response }, LineOptions));
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) // Gone once moved; left behind only by a failure.
                File.Delete(temporary);
        }
    }
}
