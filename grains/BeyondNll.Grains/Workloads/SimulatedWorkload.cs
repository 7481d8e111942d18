using System.Text.Json;
using BeyondNll.Grains.Devices;

namespace BeyondNll.Grains.Workloads;

/// <summary>
/// A stand-in for training, for dry runs of a cluster, cluster tests and the orchestration
/// benchmark: it sleeps for the study's seconds, reporting intermediate values on the way, and
/// returns a deterministic function of the trial's parameters. Its optimum is power:k with k near 6
/// and a learning rate near 1e-4 (the shape of shared/bench/sampler_vs_optuna.py's "family").
/// </summary>
public sealed class SimulatedWorkload(double seconds) : IWorkload
{
    public WorkloadResult Run(TrialSpec spec, DeviceSlot device, IWorkloadReporter reporter, CancellationToken cancellation)
    {
        var loss = Loss(spec);
        var value = spec.Metric == "nll" ? loss : Math.Exp(-loss);
        // As in training, no evaluations means no intermediate values: one stretch of work, then the result.
        var reports = Math.Max(1, spec.Evaluations);
        for (var r = 1; r <= reports; r++)
        {
            if (seconds > 0 && cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds / reports)))
                cancellation.ThrowIfCancellationRequested();
            cancellation.ThrowIfCancellationRequested();
            var step = spec.Steps * r / reports;
            reporter.Step(step, spec.Steps, loss);
            if (spec.Evaluations == 0) continue;
            // Intermediate values approach the final one from the worse side, as training curves do.
            var shortfall = 1.0 - (double)r / reports;
            reporter.Intermediate(step, spec.Metric == "nll" ? value * (1 + shortfall) : value * (1 - 0.5 * shortfall));
        }
        return new WorkloadResult(value);
    }

    /// <summary>0 at the optimum, growing away from it.</summary>
    public static double Loss(TrialSpec spec)
    {
        using var json = JsonDocument.Parse(spec.ParamsJson);
        double Number(string name, double fallback) =>
            json.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : fallback;
        var lrTerm = 0.3 * Math.Pow(Math.Log10(Number("lr", spec.LearningRate)) + 4.0, 2);
        var objective = BeyondNll.Training.Objectives.Objective.Parse(spec.Objective);
        return lrTerm + objective.Family switch
        {
            BeyondNll.Training.Objectives.ObjectiveFamily.Power => Math.Pow(Math.Log10(Math.Abs(objective.Parameter)) - Math.Log10(6.0), 2),
            BeyondNll.Training.Objectives.ObjectiveFamily.TopP => 0.15 + 2.0 * Math.Pow(objective.Parameter - 0.3, 2),
            BeyondNll.Training.Objectives.ObjectiveFamily.Nll => 0.5,
            _ => 0.4 + Math.Pow(objective.Parameter - 0.8, 2),
        };
    }
}
