using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BeyondNll.Search.Spaces;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Studies;

/// <summary>
/// What a trial's parameters mean for training. A space names the objective either with one
/// categorical <c>objective</c> whose choices are specs (the paper grid), or with a categorical
/// <c>family</c> plus <c>k</c> (power) or <c>q</c> (thresholded families), as the default space
/// does. Every other parameter is a field of the training recipe, by its name (<c>lr</c>,
/// <c>batch_size</c>, <c>warmup</c>, <c>weight_decay</c>, <c>lora_rank</c>, ...: see
/// <see cref="RecipeFields"/>); a space with a parameter that is neither is refused before a study
/// starts (<see cref="CheckReadable"/>), since nothing would read it.
/// </summary>
public static class TrialParameters
{
    /// <summary>The parameters that name the objective rather than a recipe field.</summary>
    public static IReadOnlyList<string> ObjectiveParameters { get; } = ["objective", "family", "k", "q"];

    /// <summary>
    /// The recipe a trial with these parameter values trains with: <paramref name="baseRecipe"/>
    /// with the objective they name and every recipe field they set.
    /// </summary>
    public static TrainingRecipe RecipeOf(SearchSpace space, IReadOnlyDictionary<string, double> values, TrainingRecipe baseRecipe)
    {
        var fields = space.Parameters
            .Where(p => !ObjectiveParameters.Contains(p.Name) && values.ContainsKey(p.Name))
            .Select(p => KeyValuePair.Create(p.Name, ValueOf(p, values[p.Name])));
        return RecipeFields.With(baseRecipe, fields) with { Objective = ObjectiveOf(space, values) };
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first parameter that nothing would read
    /// (neither an objective parameter nor a recipe field), or a recipe field the space lets take a
    /// value the recipe refuses (its bounds and choices are tried on <paramref name="baseRecipe"/>).
    /// </summary>
    public static void CheckReadable(SearchSpace space, TrainingRecipe baseRecipe)
    {
        foreach (var p in space.Parameters.Where(p => !ObjectiveParameters.Contains(p.Name)))
        {
            if (!RecipeFields.IsField(p.Name))
                throw new ArgumentException($"search space parameter '{p.Name}' is read by nothing: it names no objective " +
                    $"({string.Join(", ", ObjectiveParameters)}) and no training recipe field ({string.Join(", ", RecipeFields.Names)})");
            // A float parameter also tries a value between its bounds: an integer field cannot take a fraction.
            var edges = p.Kind switch
            {
                ParameterKind.Categorical => Enumerable.Range(0, p.Choices.Count).Select(i => (double)i),
                ParameterKind.Float => [p.Low, p.High, p.Low + 0.37 * (p.High - p.Low)],
                _ => [p.Low, p.High],
            };
            foreach (var value in edges)
            {
                try
                {
                    RecipeFields.With(baseRecipe, [KeyValuePair.Create(p.Name, ValueOf(p, value))]).Validate();
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"search space parameter '{p.Name}' can take a value the training recipe refuses: {e.Message}", e);
                }
            }
        }
    }

    /// <summary>A parameter's value as JSON: a number, an integer, or a categorical's choice.</summary>
    static JsonNode? ValueOf(ParameterSpec p, double value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) p.WriteValue(writer, value);
        return JsonNode.Parse(stream.ToArray());
    }

    public static string ObjectiveOf(SearchSpace space, IReadOnlyDictionary<string, double> values)
    {
        if (space.TryGet("objective", out var objective) && values.TryGetValue("objective", out var index))
            return Objective.Parse(Choice(objective, index)).Spec;
        if (space.TryGet("family", out var family) && values.TryGetValue("family", out var familyIndex))
        {
            var name = Choice(family, familyIndex);
            if (name == "nll") return Objective.Nll.Spec;
            var parameter = name == "power" ? "k" : "q";
            if (!values.TryGetValue(parameter, out var value))
                throw new ArgumentException($"family '{name}' needs a parameter '{parameter}' in the space");
            // Four significant digits: a readable, exportable spec (OnlyTopP-0.2915), and no difference a trial could measure.
            var rounded = double.Parse(value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
            return Objective.Parse($"{name}:{rounded.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}").Spec;
        }
        throw new ArgumentException("the space names no objective: give it a categorical 'objective' of specs, or a categorical 'family' with 'k' and 'q'");
    }

    /// <summary>
    /// The parameters that make a given objective in this space: how the NLL baseline and a user's
    /// guesses are enqueued. When the space has <c>lr</c> and reaches <paramref name="learningRate"/>,
    /// that is fixed too, so the baseline trains at the study's learning rate rather than a random one.
    /// </summary>
    public static Dictionary<string, double> ForObjective(SearchSpace space, string spec, double? learningRate = null)
    {
        var values = ObjectiveValues(space, spec);
        if (learningRate is { } lr && space.TryGet("lr", out var lrSpec) && lrSpec.Contains(lr)) values["lr"] = lr;
        return values;
    }

    static Dictionary<string, double> ObjectiveValues(SearchSpace space, string spec)
    {
        var objective = Objective.Parse(spec);
        if (space.TryGet("objective", out var choices))
        {
            var index = IndexOf(choices, c => Objective.Parse(c) == objective);
            if (index >= 0) return new() { ["objective"] = index };
            throw new ArgumentException($"the space's 'objective' has no choice {objective.Spec}");
        }
        if (space.TryGet("family", out var family))
        {
            var name = objective.Spec.Split(':')[0];
            var index = IndexOf(family, c => c == name);
            if (index < 0) throw new ArgumentException($"the space's 'family' has no choice '{name}' (for {objective.Spec})");
            var values = new Dictionary<string, double> { ["family"] = index };
            if (objective.Family != ObjectiveFamily.Nll)
            {
                var parameter = objective.Family == ObjectiveFamily.Power ? "k" : "q";
                if (!space.TryGet(parameter, out var spec2) || !spec2.Contains(objective.Parameter))
                    throw new ArgumentException($"{objective.Spec}: the space's '{parameter}' does not reach {objective.Parameter}");
                values[parameter] = objective.Parameter;
            }
            return values;
        }
        throw new ArgumentException("the space names no objective: give it a categorical 'objective' of specs, or a categorical 'family' with 'k' and 'q'");
    }

    /// <summary>The inverse of <see cref="ToJson"/>: a trial's parameters as internal values (choice indices for
    /// categoricals), as importance and the figures read a status's trials; names the space lacks are skipped.</summary>
    /// <exception cref="ArgumentException">A value outside its parameter's domain.</exception>
    public static Dictionary<string, double> FromJson(SearchSpace space, string json)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(json);
        foreach (var property in doc.RootElement.EnumerateObject())
            if (space.TryGet(property.Name, out var spec)) values[property.Name] = spec.ReadValue(property.Value);
        return values;
    }

    /// <summary>The active parameters as a JSON object: numbers, ints as integers, categoricals as their choices.</summary>
    public static string ToJson(SearchSpace space, IReadOnlyDictionary<string, double> values)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var p in space.Parameters)
            {
                if (!values.TryGetValue(p.Name, out var v)) continue;
                writer.WritePropertyName(p.Name);
                p.WriteValue(writer, v);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    static string Choice(ParameterSpec categorical, double index) =>
        categorical.Choices[(int)index].ValueKind == JsonValueKind.String
            ? categorical.Choices[(int)index].GetString()!
            : categorical.Choices[(int)index].GetRawText();

    static int IndexOf(ParameterSpec categorical, Func<string, bool> match)
    {
        for (var i = 0; i < categorical.Choices.Count; i++)
        {
            var c = categorical.Choices[i];
            if (c.ValueKind != JsonValueKind.String) continue;
            try
            {
                if (match(c.GetString()!)) return i;
            }
            catch (FormatException) { }
            catch (ArgumentException) { }
        }
        return -1;
    }
}
