using BeyondNll.Training.Data;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Synthetic;
using BeyondNll.Training.Tokenization;
using BeyondNll.Training.Trainer;
using TorchSharp;

namespace BeyondNll.Training.Tests.Trainer;

public class SftTrainerTests
{
    static readonly ByteTokenizer Tokenizer = new();

    static List<TokenizedExample> Addition(int n, int seed)
    {
        var (train, _) = SyntheticData.Generate(SyntheticTasks.Get("addition"), n, noise: 0, seed: seed, valCount: 1);
        return train.Select(e => TokenizedExample.From(e, Tokenizer)).ToList();
    }

    static TrainingRecipe Options(string objective, int steps = 40) => new()
    {
        Objective = objective,
        Steps = steps,
        LearningRate = 3e-3,
        BatchSize = 16,
        MaxLength = 32,
        Seed = 5,
    };

    // From a random start p is about 1/128, where 1 - p has little gradient: the prior-leaning
    // objective learns, but more slowly than NLL (the weak end of the continuum).
    [Theory]
    [InlineData("nll", 0.7)]
    [InlineData("power:1", 0.9)]
    public void A_short_real_run_lowers_the_loss(string objective, double ratio)
    {
        using var model = TestModels.Seeded();
        var result = new SftTrainer(model, Options(objective), Tokenizer.PadId).Train(Addition(256, 1));

        var first = result.History.Take(3).Average(h => h.Loss);
        Assert.True(result.FinalTrainLoss < ratio * first, $"loss went from {first} to {result.FinalTrainLoss}");
        Assert.All(result.History, h => Assert.True(double.IsFinite(h.GradNorm) && h.TokensPerSecond > 0));
    }

    [Fact]
    public void The_same_seed_gives_the_same_run_on_cpu()
    {
        var data = Addition(64, 2);
        double[] Run()
        {
            using var model = TestModels.Seeded(3);
            return new SftTrainer(model, Options("nll", steps: 8), Tokenizer.PadId).Train(data).History.Select(h => h.Loss).ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Micro_batches_accumulate_to_the_whole_batch_gradient()
    {
        // Equal-length examples, so each micro-batch's normaliser is half the batch's: the
        // accumulated update equals the whole-batch update.
        var random = new Random(4);
        var data = Enumerable.Range(0, 8).Select(_ => new TokenizedExample(
            Enumerable.Range(0, 5).Select(_ => random.Next(4, 100)).ToArray(),
            Enumerable.Range(0, 6).Select(_ => random.Next(4, 100)).ToArray())).ToList();
        double[] Run(int micro)
        {
            using var model = TestModels.Seeded(6);
            var options = Options("power:10", steps: 3) with { BatchSize = 8, MicroBatchSize = micro };
            return new SftTrainer(model, options, Tokenizer.PadId).Train(data).History.Select(h => h.Loss).ToArray();
        }
        var whole = Run(0);
        var halves = Run(4);
        for (var i = 0; i < whole.Length; i++) Assert.Equal(whole[i], halves[i], 4);
    }

    [Fact]
    public void A_nan_loss_stops_the_run_with_its_reason()
    {
        using var model = TestModels.Seeded();
        using (torch.no_grad()) model.parameters().First().fill_(double.NaN);
        var e = Assert.Throws<TrainingDivergedException>(() =>
            new SftTrainer(model, Options("nll"), Tokenizer.PadId).Train(Addition(32, 3)));
        Assert.Contains("step 1", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void A_cancelled_run_stops()
    {
        using var model = TestModels.Seeded();
        using var cancel = new CancellationTokenSource();
        var steps = 0;
        Assert.Throws<OperationCanceledException>(() => new SftTrainer(model, Options("nll", steps: 50), Tokenizer.PadId)
            .Train(Addition(32, 3), cancellation: cancel.Token, afterStep: _ => { if (++steps == 2) cancel.Cancel(); }));
        Assert.Equal(2, steps);
    }

    [Fact]
    public void Bad_options_are_rejected_before_training()
    {
        using var model = TestModels.Seeded();
        var e = Assert.Throws<ArgumentException>(() => new SftTrainer(model, Options("nll") with { Steps = 0 }, 0));
        Assert.Contains("steps", e.Message);
        Assert.Throws<ArgumentException>(() => new SftTrainer(model, Options("nll") with { LearningRate = -1 }, 0));
        Assert.Throws<ArgumentException>(() => new SftTrainer(model, Options("nll"), 0).Train([]));
    }
}
