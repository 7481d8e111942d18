using BeyondNll.Search.Spaces;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Grains.Tests;

/// <summary>Requests and waiting, shared by the cluster tests.</summary>
static class Studies
{
    public static StudyRequest Request(TestData data, string name, string workload = "simulated:0.2", int trials = 6, int parallel = 4) => new()
    {
        Name = name,
        Backbone = "micro",
        TrainPath = data.Train,
        ValPath = data.Val,
        SpaceJson = NamedSpaces.CreateDefault().ToJson(),
        Trials = trials,
        Parallel = parallel,
        Evaluations = 2,
        Workload = workload,
        Seed = 3,
        Recipe = new TrainingRecipe { Steps = 8, MaxLength = 32, BatchSize = 8, LearningRate = 3e-4, Seed = 3 },
        // One rung at the recipe's rate (as `--lr 3e-4` gives): the baseline once, the rest of the budget searched.
        LearningRates = [3e-4],
    };

    /// <summary>The request with its recipe changed.</summary>
    public static StudyRequest With(this StudyRequest request, Func<TrainingRecipe, TrainingRecipe> change) =>
        request with { Recipe = change(request.Recipe!) };

    public static async Task<IStudyGrain> Started(IGrainFactory grains, TestData data, StudyRequest request)
    {
        await grains.GetGrain<IBackboneGrain>("micro").Register(data.Backbone);
        var study = grains.GetGrain<IStudyGrain>(request.Name);
        await study.Start(request);
        return study;
    }

    public static async Task<StudyStatus> WaitFor(IStudyGrain study, Func<StudyStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await study.GetStatus();
            if (condition(status)) return status;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"study {status.Study} is {status.State} after {timeout}: " +
                    string.Join(", ", status.Trials.Select(t => $"{t.Number}:{t.State}")));
            await Task.Delay(100);
        }
    }

    public static Task<StudyStatus> WaitUntilFinished(IStudyGrain study, TimeSpan timeout) =>
        WaitFor(study, s => s.State is not (StudyState.Running or StudyState.Pending), timeout);
}
