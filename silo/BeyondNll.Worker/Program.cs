using System.Globalization;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Trainer;
using BeyondNll.Training.Worker;
using TorchSharp;

// One training attempt of a search, in a process of its own: its silo starts `dotnet BeyondNll.Worker.dll`,
// writes the WorkerJob as one line of JSON on its standard input and keeps that pipe open. The worker runs
// the job's TrainingRun, resuming the newest checkpoint, and writes WorkerMessages (JSON lines) on its
// standard output and a readable log on its standard error. The end of its input means the silo is gone:
// the worker exits at once rather than train on for nobody (the attempt is rerun, from its checkpoint).
// Exit codes: 0 a result was sent, 1 a failure was sent, 2 no usable job, 3 the silo went away.

var output = new object();
void Send(WorkerMessage message)
{
    lock (output) Console.Out.WriteLine(message.ToJson());
}
void Log(string line) =>
    Console.Error.WriteLine($"{DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {line}");

WorkerJob job;
try
{
    job = WorkerJob.Parse(Console.In.ReadLine() ?? throw new InvalidDataException("no job on standard input"));
    job.Recipe.Validate();
}
catch (Exception e) when (e is InvalidDataException or ArgumentException)
{
    Log($"no usable job: {e.Message}");
    Send(new WorkerMessage { Kind = WorkerMessage.Failed, Failure = TrainingFailures.Input, Message = e.Message });
    return 2;
}

new Thread(() =>
{
    while (Console.In.ReadLine() is not null)
    {
    }
    Log("the silo closed this worker's input: exiting");
    Environment.Exit(3);
}) { IsBackground = true, Name = "silo watch" }.Start();

try
{
    if (job.Threads > 0) torch.set_num_threads(job.Threads);
    var recipe = job.Recipe;
    Log($"pid {Environment.ProcessId}: {recipe.Objective}, lr {recipe.LearningRate.ToString("G4", CultureInfo.InvariantCulture)}, " +
        $"{recipe.Steps} steps on {job.Device} ({torch.get_num_threads()} threads)");
    var every = Math.Max(1, recipe.Steps / 100); // a log line per 1% of the steps
    var checkpoints = job.Checkpoints is { } folder
        ? new TrainingCheckpoints(folder, job.CheckpointEvery, job.CheckpointIdentity, Log)
        {
            MinSeconds = job.CheckpointMinSeconds,
            OnResumed = step =>
            {
                Log($"resumed from the checkpoint of step {step}");
                Send(new WorkerMessage { Kind = WorkerMessage.Resumed, At = step, Steps = recipe.Steps });
            },
            OnWritten = w =>
            {
                Log($"checkpoint of step {w.Step}: {w.Bytes / 1024.0:F0} KiB in {w.Seconds * 1000:F0} ms");
                Send(new WorkerMessage { Kind = WorkerMessage.Checkpoint, At = w.Step, Steps = recipe.Steps, Seconds = w.Seconds, Bytes = w.Bytes });
            },
        }
        : null;
    var inputs = new RunInputs(job.Backbone, job.Train, job.Val, new SftFieldMap(job.PromptKey, job.ResponseKey), AnswerFormat.Parse(job.AnswerFormat), job.Test);
    var result = TrainingRun.Run(recipe, inputs, new RunHooks
    {
        Metric = StudyMetric.Parse(job.Metric),
        Evaluations = job.Evaluations,
        Device = job.Device,
        Checkpoints = checkpoints,
        KeepIn = job.KeepIn,
        OnStep = step =>
        {
            Send(new WorkerMessage { Kind = WorkerMessage.Step, At = step.Step, Steps = step.Steps, Loss = step.Loss });
            if (step.Step % every == 0 || step.Step == step.Steps)
                Log($"step {step.Step}/{step.Steps} loss {step.Loss.ToString("F4", CultureInfo.InvariantCulture)}");
        },
        OnIntermediate = (step, value) =>
        {
            Log($"step {step}: {job.Metric} {value.ToString("G6", CultureInfo.InvariantCulture)}");
            Send(new WorkerMessage { Kind = WorkerMessage.Intermediate, At = step, Steps = recipe.Steps, Value = value });
        },
    });
    var v = result.Validation;
    Log($"done: {job.Metric} {result.Value.ToString("G6", CultureInfo.InvariantCulture)}" + (job.KeepIn is null ? "" : $", kept in {job.KeepIn}"));
    Send(new WorkerMessage
    {
        Kind = WorkerMessage.Result, At = recipe.Steps, Steps = recipe.Steps, Value = result.Value, Accuracy = v.Accuracy, MeanNll = v.MeanNll,
        MeanP = v.MeanP, TrainableParameters = result.TrainableParameters, WeightDtype = result.WeightDtype,
        TestValue = result.TestValue,
    });
    return 0;
}
catch (Exception e)
{
    var failure = TrainingFailures.Classify(e);
    Log($"failed ({failure}): {e}");
    Send(new WorkerMessage { Kind = WorkerMessage.Failed, Failure = failure, Message = e.Message });
    return 1;
}
