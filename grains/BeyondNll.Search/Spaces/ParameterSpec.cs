using System.Globalization;
using System.Text.Json;

namespace BeyondNll.Search.Spaces;

/// <summary>
/// One parameter of a search space. Samplers work on a parameter's <em>internal value</em>, a
/// double: the number itself for float and int parameters, the index of the choice for a
/// categorical one (as Optuna does). <see cref="WriteValue"/> and <see cref="ReadValue"/> convert
/// between that and the JSON a user sees: ints as integers, categoricals as their choice values.
/// </summary>
/// <remarks>Construct through the factories; <see cref="SearchSpace"/> validates the whole space.</remarks>
public sealed class ParameterSpec
{
    static readonly IReadOnlyList<JsonElement> NoChoices = [];
    static readonly IReadOnlyList<ParameterCondition> Always = [];

    ParameterSpec(string name, ParameterKind kind)
    {
        Name = name;
        Kind = kind;
    }

    public string Name { get; }
    public ParameterKind Kind { get; }

    /// <summary>Lower bound, inclusive (numeric kinds).</summary>
    public double Low { get; private init; }

    /// <summary>Upper bound, inclusive (numeric kinds).</summary>
    public double High { get; private init; }

    /// <summary>Sampled on a log scale (numeric kinds; low must be positive).</summary>
    public bool Log { get; private init; }

    /// <summary>Grid spacing from <see cref="Low"/>: null for a continuous float, 1 by default for an int.</summary>
    public double? Step { get; private init; }

    /// <summary>The choices of a categorical parameter, as JSON values.</summary>
    public IReadOnlyList<JsonElement> Choices { get; private init; } = NoChoices;

    /// <summary>Conditions on earlier categorical parameters; empty for an always-active parameter.</summary>
    public IReadOnlyList<ParameterCondition> When { get; private init; } = Always;

    public bool IsConditional => When.Count > 0;

    public static ParameterSpec Float(string name, double low, double high, bool log = false,
        double? step = null, IReadOnlyList<ParameterCondition>? when = null) =>
        new(name, ParameterKind.Float) { Low = low, High = high, Log = log, Step = step, When = when ?? Always };

    public static ParameterSpec Int(string name, long low, long high, bool log = false, long step = 1,
        IReadOnlyList<ParameterCondition>? when = null) =>
        new(name, ParameterKind.Int) { Low = low, High = high, Log = log, Step = step, When = when ?? Always };

    public static ParameterSpec Categorical(string name, IReadOnlyList<JsonElement> choices,
        IReadOnlyList<ParameterCondition>? when = null) =>
        new(name, ParameterKind.Categorical) { Choices = choices, When = when ?? Always };

    /// <summary>A categorical parameter over .NET values (strings, numbers, booleans).</summary>
    public static ParameterSpec Categorical<T>(string name, IEnumerable<T> choices,
        IReadOnlyList<ParameterCondition>? when = null) =>
        Categorical(name, choices.Select(c => JsonSerializer.SerializeToElement(c)).ToArray(), when);

    /// <summary>Whether an internal value is one this parameter can take.</summary>
    public bool Contains(double value)
    {
        if (!double.IsFinite(value))
            return false;
        if (Kind == ParameterKind.Categorical)
            return value == Math.Floor(value) && value >= 0 && value < Choices.Count;
        if (value < Low || value > High)
            return false;
        if (Kind == ParameterKind.Int && value != Math.Floor(value))
            return false;
        return Step is not { } step || IsOnGrid(value, step);
    }

    bool IsOnGrid(double value, double step)
    {
        var k = (value - Low) / step;
        return Math.Abs(k - Math.Round(k)) <= 1e-9 * Math.Max(1.0, Math.Abs(k));
    }

    /// <summary>Writes an internal value as the JSON a user sees.</summary>
    public void WriteValue(Utf8JsonWriter writer, double value)
    {
        switch (Kind)
        {
            case ParameterKind.Categorical: Choices[(int)value].WriteTo(writer); break;
            case ParameterKind.Int: writer.WriteNumberValue((long)value); break;
            default: writer.WriteNumberValue(value); break;
        }
    }

    /// <summary>Reads a user's JSON value into an internal value, or says why it does not fit.</summary>
    /// <exception cref="ArgumentException">The value is of the wrong type or outside the parameter's domain.</exception>
    public double ReadValue(JsonElement json)
    {
        if (Kind == ParameterKind.Categorical)
        {
            for (var i = 0; i < Choices.Count; i++)
                if (JsonElement.DeepEquals(Choices[i], json))
                    return i;
            throw new ArgumentException($"parameter '{Name}': {json.GetRawText()} is not one of its choices");
        }
        if (json.ValueKind != JsonValueKind.Number)
            throw new ArgumentException($"parameter '{Name}': expected a number, got {json.GetRawText()}");
        var value = json.GetDouble();
        if (!Contains(value))
            throw new ArgumentException($"parameter '{Name}': {json.GetRawText()} is outside {DescribeDomain()}");
        return value;
    }

    /// <summary>The domain in words, for messages: "an int in [0, 10]", "a float in [1e-05, 0.001] (log)".</summary>
    public string DescribeDomain()
    {
        if (Kind == ParameterKind.Categorical)
            return "[" + string.Join(", ", Choices.Select(c => c.GetRawText())) + "]";
        var kind = Kind == ParameterKind.Int ? "an int" : "a float";
        var text = string.Create(CultureInfo.InvariantCulture, $"{kind} in [{Low}, {High}]");
        if (Log)
            text += " (log)";
        if (Step is { } step && !(Kind == ParameterKind.Int && step == 1))
            text += string.Create(CultureInfo.InvariantCulture, $" with step {step}");
        return text;
    }
}
