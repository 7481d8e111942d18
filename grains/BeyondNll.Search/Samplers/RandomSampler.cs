using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Samplers;

/// <summary>Every active parameter drawn uniformly from its domain; the baseline any smarter sampler must beat.</summary>
public sealed class RandomSampler(SearchSpace space, StudyDirection direction = StudyDirection.Minimize,
    long seed = 0, TrialHistory? history = null) : Sampler(space, direction, seed, history)
{
    protected override Dictionary<string, double> Suggest(int trialNumber, IReadOnlyDictionary<string, double> fixedParams)
    {
        var rng = SeededRandom.ForTrial(Seed, trialNumber);
        return AssignInOrder(fixedParams, (p, _) => UniformDraw.Draw(p, rng));
    }
}
