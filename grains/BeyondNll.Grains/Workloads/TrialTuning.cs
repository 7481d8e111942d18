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

    // A text field a message never carried stays null: that is the default.
    static TuningSettings Make(string? dtype, bool checkpointing, int rank, double alpha, string? targets) => new()
    {
        Dtype = dtype ?? TuningSettings.Default.Dtype,
        GradientCheckpointing = checkpointing,
        LoraRank = rank,
        LoraAlpha = alpha,
        LoraTargets = targets ?? TuningSettings.Default.LoraTargets,
    };
}
