using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace BeyondNll.Training.Trainer;

/// <summary>
/// A <see cref="TrainingRecipe"/>'s fields by name, as search spaces, `search status --json` and
/// exports name them: the JSON names of its properties (snake_case: lr, batch_size, warmup,
/// weight_decay, lora_rank, ...). Read from the record itself, so a property added to the recipe is
/// a field here with no other edit.
/// </summary>
public static class RecipeFields
{
    /// <summary>The recipe's JSON form: snake_case names, every field written.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>Every field's name, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        Json.GetTypeInfo(typeof(TrainingRecipe)).Properties.Select(p => p.Name).ToList();

    public static bool IsField(string name) => Names.Contains(name);

    /// <summary>The recipe as a JSON object of all its fields.</summary>
    public static JsonObject ToJson(TrainingRecipe recipe) => JsonSerializer.SerializeToNode(recipe, Json)!.AsObject();

    /// <summary>
    /// A copy of <paramref name="recipe"/> with the named fields set to the given JSON values (a
    /// number for lr, an integer for batch_size, a string for dtype, true or false for
    /// gradient_checkpointing). An <see cref="ArgumentException"/> names a field that does not exist
    /// or a value of the wrong kind; the values themselves are checked by <see cref="TrainingRecipe.Validate"/>.
    /// </summary>
    public static TrainingRecipe With(TrainingRecipe recipe, IEnumerable<KeyValuePair<string, JsonNode?>> fields)
    {
        var json = ToJson(recipe);
        foreach (var (name, value) in fields)
        {
            if (!IsField(name))
                throw new ArgumentException($"'{name}' is no training recipe field; the fields are {string.Join(", ", Names)}");
            json[name] = value?.DeepClone();
        }
        try
        {
            return json.Deserialize<TrainingRecipe>(Json)!;
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path[2..] : "a field";
            throw new ArgumentException($"recipe field {field} cannot take that value: {e.Message}", e);
        }
    }

    /// <summary>A number as the JSON value a field of its kind takes: integers stay integers.</summary>
    public static JsonNode Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? JsonValue.Create((long)value) : JsonValue.Create(value);
}
