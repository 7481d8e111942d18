using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Samplers;

/// <summary>
/// The ask/tell loop every sampler offers. <see cref="Ask"/> hands out a trial's parameters
/// (enqueued trials first); the caller evaluates them and tells the outcome: a value, failed or
/// pruned. Parameters are internal values (<see cref="ParameterSpec"/>): numbers, or choice
/// indices for categoricals; only active parameters appear.
/// </summary>
public interface ISampler
{
    SearchSpace Space { get; }
    StudyDirection Direction { get; }

    /// <summary>Every trial asked so far, in order: the state to persist.</summary>
    TrialHistory History { get; }

    /// <summary>Starts a trial and returns it (running).</summary>
    /// <exception cref="InvalidOperationException">The sampler has nothing left to suggest (an exhausted grid).</exception>
    TrialRecord Ask();

    /// <summary>Completes a trial with its objective value (NaN marks it failed).</summary>
    void Tell(int trial, double value);

    /// <summary>Marks a trial failed: samplers ignore it from now on.</summary>
    void TellFailed(int trial);

    /// <summary>Marks a trial pruned: ranked by its last intermediate value, as Optuna does.</summary>
    void TellPruned(int trial);

    /// <summary>Records an intermediate value of a running trial (for pruners and for ranking it if pruned).</summary>
    void Report(int trial, int step, double value);

    /// <summary>
    /// Queues parameters to run before any sampled trial (the NLL baseline, a user's guesses).
    /// Active parameters left out are sampled when the trial is asked.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown or inactive parameter, or a value outside its domain.</exception>
    void Enqueue(IReadOnlyDictionary<string, double> parameters);

    /// <summary>The best complete trial, or null while none is complete.</summary>
    TrialRecord? Best { get; }
}
