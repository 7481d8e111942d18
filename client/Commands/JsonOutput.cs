using System.Text.Json;
using System.Text.Json.Serialization;

namespace BeyondNll.Client.Commands;

/// <summary>
/// The one JSON style of every `--json` answer: snake_case field names (the contract users'
/// scripts rely on), one object on one line, non-finite numbers written as strings rather than failing.
/// </summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write<T>(T value) => Write(Console.Out, value);

    public static void Write<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, Options));
}
