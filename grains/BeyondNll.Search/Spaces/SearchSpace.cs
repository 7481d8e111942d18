using System.Globalization;

namespace BeyondNll.Search.Spaces;

/// <summary>
/// An ordered list of parameters, some of them conditional on an earlier categorical parameter
/// (the objective family decides whether k or q exists). Construction validates the whole space
/// and names the offending parameter in its message; a space that exists is valid.
/// </summary>
public sealed class SearchSpace
{
    readonly Dictionary<string, int> _indexByName = new(StringComparer.Ordinal);
    readonly List<ParameterSpec> _parameters = [];

    /// <exception cref="ArgumentException">The space is invalid; the message names the parameter.</exception>
    public SearchSpace(IEnumerable<ParameterSpec> parameters)
    {
        foreach (var p in parameters)
        {
            Validate(p);
            _indexByName.Add(p.Name, _parameters.Count);
            _parameters.Add(p);
        }
        if (_parameters.Count == 0)
            throw new ArgumentException("a search space needs at least one parameter");
    }

    public IReadOnlyList<ParameterSpec> Parameters => _parameters;

    public ParameterSpec this[string name] => Parameters[_indexByName[name]];

    public bool TryGet(string name, out ParameterSpec spec)
    {
        var found = _indexByName.TryGetValue(name, out var i);
        spec = found ? Parameters[i] : null!;
        return found;
    }

    /// <summary>Position of a parameter in declaration order.</summary>
    public int IndexOf(string name) => _indexByName[name];

    /// <summary>
    /// Whether a parameter exists given the values assigned so far. Parents come before their
    /// children, so assigning in declaration order decides every parent before it is asked about.
    /// </summary>
    public static bool IsActive(ParameterSpec parameter, IReadOnlyDictionary<string, double> assigned)
    {
        foreach (var condition in parameter.When)
            if (!assigned.TryGetValue(condition.Parent, out var parentValue) || !condition.Allows(parentValue))
                return false;
        return true;
    }

    /// <summary>Parses the JSON form, <c>{"params": [...]}</c>.</summary>
    /// <exception cref="FormatException">The text is not JSON of the expected shape.</exception>
    /// <exception cref="ArgumentException">The space is invalid.</exception>
    public static SearchSpace FromJson(string json) => SearchSpaceJson.Parse(json);

    public static SearchSpace FromJson(Stream utf8Json) => SearchSpaceJson.Parse(utf8Json);

    public string ToJson() => SearchSpaceJson.Write(this);

    void Validate(ParameterSpec p)
    {
        if (string.IsNullOrWhiteSpace(p.Name))
            throw new ArgumentException($"parameter #{_indexByName.Count + 1} has no name");
        if (_indexByName.ContainsKey(p.Name))
            throw Invalid(p, "the name is used twice");
        switch (p.Kind)
        {
            case ParameterKind.Categorical:
                if (p.Choices.Count == 0)
                    throw Invalid(p, "choices must not be empty");
                for (var i = 0; i < p.Choices.Count; i++)
                    for (var j = 0; j < i; j++)
                        if (System.Text.Json.JsonElement.DeepEquals(p.Choices[i], p.Choices[j]))
                            throw Invalid(p, $"choice {p.Choices[i].GetRawText()} appears twice");
                break;
            default:
                ValidateNumeric(p);
                break;
        }
        foreach (var condition in p.When)
        {
            if (!TryGet(condition.Parent, out var parent))
                throw Invalid(p, $"unknown parent '{condition.Parent}' (a parent must be declared before its children)");
            if (parent.Kind != ParameterKind.Categorical)
                throw Invalid(p, $"parent '{condition.Parent}' must be categorical");
            if (condition.AllowedChoices.Count == 0)
                throw Invalid(p, $"the condition on '{condition.Parent}' lists no values");
        }
    }

    static void ValidateNumeric(ParameterSpec p)
    {
        if (!double.IsFinite(p.Low) || !double.IsFinite(p.High))
            throw Invalid(p, "low and high must be finite numbers");
        if (p.Low >= p.High)
            throw Invalid(p, Text($"low ({p.Low}) must be below high ({p.High})"));
        if (p.Log && p.Low <= 0)
            throw Invalid(p, Text($"a log scale needs low > 0, got {p.Low}"));
        if (p.Kind == ParameterKind.Int && (p.Low != Math.Floor(p.Low) || p.High != Math.Floor(p.High)))
            throw Invalid(p, "low and high of an int must be integers");
        if (p.Step is not { } step)
            return;
        if (!(step > 0) || !double.IsFinite(step))
            throw Invalid(p, Text($"step must be positive, got {step}"));
        if (p.Kind == ParameterKind.Int && step != Math.Floor(step))
            throw Invalid(p, "the step of an int must be an integer");
        if (p.Log && !(p.Kind == ParameterKind.Int && step == 1))
            throw Invalid(p, "a log scale cannot have a step");
        var steps = (p.High - p.Low) / step;
        if (Math.Abs(steps - Math.Round(steps)) > 1e-9 * Math.Max(1, steps))
            throw Invalid(p, Text($"high - low ({p.High - p.Low}) must be a multiple of step ({step})"));
    }

    static ArgumentException Invalid(ParameterSpec p, string why) => new($"parameter '{p.Name}': {why}");

    static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
