namespace BeyondNll.Grains;

/// <summary>The workload setting of a study: "torch", or "simulated:SECONDS".</summary>
public readonly record struct WorkloadKind(string Kind, double Seconds)
{
    public static WorkloadKind Parse(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s == "torch") return new WorkloadKind("torch", 0);
        if (s.StartsWith("simulated:", StringComparison.Ordinal) &&
            double.TryParse(s["simulated:".Length..], System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && double.IsFinite(seconds))
            return new WorkloadKind("simulated", seconds);
        throw new ArgumentException($"unknown workload '{text}'; use torch or simulated:SECONDS");
    }
}
