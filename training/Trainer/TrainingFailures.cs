namespace BeyondNll.Training.Trainer;

/// <summary>
/// Why a run failed, in the classes a search treats differently: out of memory (not retried with the
/// same recipe: it would run out again), divergence (the trial itself is at fault), bad inputs (every
/// attempt would fail alike) and other faults (which may pass on another attempt).
/// </summary>
public static class TrainingFailures
{
    public const string OutOfMemory = "out_of_memory";
    public const string Diverged = "diverged";
    public const string Input = "input";
    public const string Fault = "fault";

    /// <summary>The class of a run's exception.</summary>
    public static string Classify(Exception e) => e switch
    {
        TrainingDivergedException => Diverged,
        _ when IsOutOfMemory(e) => OutOfMemory,
        InvalidDataException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or FormatException => Input,
        _ => Fault,
    };

    /// <summary>
    /// An allocation that failed: .NET's own, CUDA's caching allocator ("CUDA out of memory"), cuBLAS's
    /// workspace, or libtorch's CPU allocator ("DefaultCPUAllocator: can't allocate memory" / "not enough memory").
    /// </summary>
    public static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("CUBLAS_STATUS_ALLOC_FAILED", StringComparison.Ordinal)
        || e.Message.Contains("DefaultCPUAllocator", StringComparison.Ordinal)
        || e.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase);
}
