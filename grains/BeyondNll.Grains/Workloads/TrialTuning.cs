using BeyondNll.Training.Trainer;

namespace BeyondNll.Grains.Workloads;

/// <summary>
/// The real-backbone settings (<see cref="TuningSettings"/>) of a study request and of a trial spec:
/// the study grain checks the request's, the torch workload trains with the spec's.
/// </summary>
public static class TrialTuning
{
    public static TuningSettings Of(StudyRequest r) => Make(r.Dtype, r.GradientCheckpointing, r.LoraRank, r.LoraAlpha, r.LoraTargets);

    public static TuningSettings Of(TrialSpec s) => Make(s.Dtype, s.GradientCheckpointing, s.LoraRank, s.LoraAlpha, s.LoraTargets);

    // A record stored before these fields existed loads with their initial values (StoredBeforeTuningTests).
    static TuningSettings Make(string dtype, bool checkpointing, int rank, double alpha, string targets) => new()
    {
        Dtype = dtype, GradientCheckpointing = checkpointing, LoraRank = rank, LoraAlpha = alpha, LoraTargets = targets,
    };
}
