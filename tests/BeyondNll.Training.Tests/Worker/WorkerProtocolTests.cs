using BeyondNll.Training.Trainer;
using BeyondNll.Training.Worker;
using static TorchSharp.torch;

namespace BeyondNll.Training.Tests.Worker;

/// <summary>What a silo and its worker process say to each other, and how a run's failure is classed.</summary>
public class WorkerProtocolTests
{
    [Fact]
    public void A_job_goes_over_the_pipe_as_one_line_and_comes_back_whole()
    {
        var job = new WorkerJob
        {
            Recipe = TrainingRecipe.Default with { Objective = "power:10", LearningRate = 3e-4, LoraRank = 8, CheckpointEvery = 7 },
            Backbone = "/models/a", Train = "/data/t.jsonl", Val = "/data/v.jsonl", Test = "/data/test.jsonl", Metric = "nll", Evaluations = 3, Device = "cuda:0",
            Threads = 2, Checkpoints = "/artifacts/s/trial-0001/checkpoints", CheckpointEvery = 7, CheckpointIdentity = "abc", KeepIn = "/artifacts/s/trial-0001/model",
        };
        var line = job.ToJson();
        Assert.DoesNotContain('\n', line);
        Assert.Contains("\"lr\":0.0003", line);
        Assert.Equal(job, WorkerJob.Parse(line));
    }

    [Fact]
    public void A_line_that_is_no_job_is_refused_as_bad_data()
    {
        Assert.Throws<InvalidDataException>(() => WorkerJob.Parse("{\"recipe\":"));
    }

    [Fact]
    public void Messages_round_trip_and_a_stray_line_is_no_message()
    {
        var result = new WorkerMessage { Kind = WorkerMessage.Result, At = 5, Value = double.NaN, MeanP = 0.5, TestValue = 0.42 };
        var back = WorkerMessage.TryParse(result.ToJson())!;
        Assert.Equal(WorkerMessage.Result, back.Kind);
        Assert.True(double.IsNaN(back.Value!.Value));
        // The held-out test value travels with the result (the study reports on it).
        Assert.Equal(0.42, back.TestValue);
        Assert.Null(WorkerMessage.TryParse("warning: something printed by a native library"));
        Assert.Null(WorkerMessage.TryParse("{not json"));
    }

    [Fact]
    public void A_failed_allocation_is_out_of_memory()
    {
        // Four petabytes: more than any machine has, so libtorch's CPU allocator refuses it.
        var e = Assert.ThrowsAny<Exception>(() => empty(1L << 50, dtype: float32));
        Assert.Equal(TrainingFailures.OutOfMemory, TrainingFailures.Classify(e));
        Assert.Equal(TrainingFailures.OutOfMemory, TrainingFailures.Classify(new Exception("CUDA out of memory. Tried to allocate 2.00 GiB")));
    }

    [Fact]
    public void Divergence_bad_inputs_and_other_faults_are_told_apart()
    {
        Assert.Equal(TrainingFailures.Diverged, TrainingFailures.Classify(new TrainingDivergedException("step 3: the loss is NaN")));
        Assert.Equal(TrainingFailures.Input, TrainingFailures.Classify(new FileNotFoundException("no such file")));
        Assert.Equal(TrainingFailures.Input, TrainingFailures.Classify(new InvalidDataException("bad row")));
        Assert.Equal(TrainingFailures.Fault, TrainingFailures.Classify(new IOException("disk went away")));
    }
}
