namespace BeyondNll.Training.Trainer;

/// <summary>Linear warm-up from 0 to the peak, then cosine decay to <c>minRatio</c> × peak at the last step.</summary>
public static class LearningRateSchedule
{
    /// <param name="step">0-based index of the optimizer step about to be taken.</param>
    public static double At(int step, int totalSteps, double peak, double warmupFraction, double minRatio = 0)
    {
        var warmup = (int)(warmupFraction * totalSteps);
        if (step < warmup) return peak * (step + 1) / warmup;
        var decaySteps = Math.Max(1, totalSteps - warmup);
        var progress = Math.Min(1.0, (double)(step - warmup) / decaySteps);
        return peak * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
