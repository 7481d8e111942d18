namespace BeyondNll.Search.Spaces;

/// <summary>
/// "Active only when the categorical parent took one of these choices". A parameter with several
/// conditions is active when all of them hold (and so, transitively, when its parents are active).
/// </summary>
/// <param name="Parent">Name of a categorical parameter declared earlier in the space.</param>
/// <param name="AllowedChoices">Indices into the parent's choices, ascending.</param>
public sealed record ParameterCondition(string Parent, IReadOnlyList<int> AllowedChoices)
{
    public bool Allows(double parentChoiceIndex)
    {
        foreach (var allowed in AllowedChoices)
            if (allowed == (int)parentChoiceIndex)
                return true;
        return false;
    }
}
