using BeyondNll.Grains.Devices;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Grains.Workloads;

/// <summary>
/// A stand-in for training, for dry runs of a cluster, cluster tests and the orchestration
/// benchmark, run in the silo (it keeps no checkpoints or model): it sleeps for the study's seconds,
/// reporting intermediate values on the way, and returns a deterministic function of the trial's
/// recipe. Its optimum is power:k with k near 6 and a learning rate near 1e-4; NLL, top-p and the
/// other families sit on plateaus of their own. With test data its test value is the same function a
/// little worse (held-out data scores lower), so that selection on validation and reporting on test
/// can be told apart.
/// </summary>
public sealed class SimulatedWorkload(double seconds) : IWorkload
{
    public WorkloadResult Run(TrialSpec spec, DeviceSlot device, AttemptFiles files, IWorkloadReporter reporter, CancellationToken cancellation)
    {
        var loss = Loss(spec.Recipe);
        var metric = StudyMetric.Parse(spec.Metric);
        var value = ValueOf(metric, loss);
        // As in training, no evaluations means no intermediate values: one stretch of work, then the result.
        var reports = Math.Max(1, spec.Evaluations);
        for (var r = 1; r <= reports; r++)
        {
            if (seconds > 0 && cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds / reports)))
                cancellation.ThrowIfCancellationRequested();
            cancellation.ThrowIfCancellationRequested();
            var step = spec.Recipe.Steps * r / reports;
            reporter.Step(step, spec.Recipe.Steps, loss);
            if (spec.Evaluations == 0) continue;
            // Intermediate values approach the final one from the worse side, as training curves do.
            var shortfall = 1.0 - (double)r / reports;
            reporter.Intermediate(step, metric.HigherIsBetter ? value * (1 - 0.5 * shortfall) : value * (1 + shortfall));
        }
        return new WorkloadResult(value, TestValue: spec.Test is null ? null : ValueOf(metric, 1.1 * loss + 0.05));
    }

    static double ValueOf(StudyMetric metric, double loss) => metric.HigherIsBetter ? Math.Exp(-loss) : loss;

    /// <summary>0 at the optimum, growing away from it.</summary>
    public static double Loss(TrainingRecipe recipe)
    {
        var lrTerm = 0.3 * Math.Pow(Math.Log10(recipe.LearningRate) + 4.0, 2);
        var objective = recipe.ParsedObjective();
        return lrTerm + objective.Family switch
        {
            ObjectiveFamily.Power => Math.Pow(Math.Log10(Math.Abs(objective.Parameter)) - Math.Log10(6.0), 2),
            ObjectiveFamily.TopP => 0.15 + 2.0 * Math.Pow(objective.Parameter - 0.3, 2),
            ObjectiveFamily.Nll => 0.5,
            _ => 0.4 + Math.Pow(objective.Parameter - 0.8, 2),
        };
    }
}
