using BeyondNll.Training.Data;
using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;
using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Model;

public class GradientCheckpointingTests
{
    static List<TokenizedExample> Examples(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 6).Select(_ => new TokenizedExample(
            Enumerable.Range(0, random.Next(2, 8)).Select(_ => random.Next(1, 61)).ToArray(),
            Enumerable.Range(0, random.Next(2, 8)).Select(_ => random.Next(1, 61)).ToArray())).ToList();
    }

    static Dictionary<string, Tensor> Gradients(DecoderLM model, bool checkpointing, string objective)
    {
        using var batch = SftBatcher.Make(Examples(3), 16, 0);
        var loss = new ObjectiveLoss(Objective.Parse(objective));
        LossStats Backward(Tensor hidden) => loss.ForwardBackward(hidden, model.Head, batch.Labels, batch.LossMask, chunkTokens: 7);
        model.zero_grad();
        var stats = checkpointing ? model.CheckpointedForwardBackward(batch.InputIds, Backward) : Backward(model.Hidden(batch.InputIds));
        Assert.True(stats.ResponseTokens > 0);
        return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
    }

    [Theory]
    [InlineData("nll")]
    [InlineData("top-p:0.01")]
    public void Gradients_equal_those_without_checkpointing(string objective)
    {
        using var model = Peaked(Gqa with { TieEmbeddings = true, AttentionBias = true });
        var plain = Gradients(model, checkpointing: false, objective);
        var checkpointed = Gradients(model, checkpointing: true, objective);
        Assert.Equal(plain.Keys, checkpointed.Keys);
        foreach (var (name, g) in plain)
        {
            Assert.True(g.abs().max().item<float>() > 0, $"{name} has no gradient");
            Assert.True(g.allclose(checkpointed[name], rtol: 1e-4, atol: 1e-6), $"{name}: max difference {(g - checkpointed[name]).abs().max().item<float>():E2}");
        }
    }

    [Fact]
    public void A_training_run_with_checkpointing_follows_the_same_losses()
    {
        var data = Examples(5);
        double[] Run(bool checkpointing)
        {
            using var model = Create(Gqa, seed: 4);
            var options = new TrainingRecipe { Objective = "power:2", Steps = 4, LearningRate = 1e-2, BatchSize = 4, MaxLength = 16, GradientCheckpointing = checkpointing };
            return new SftTrainer(model, options, 0).Train(data).History.Select(h => h.Loss).ToArray();
        }
        var plain = Run(false);
        var checkpointed = Run(true);
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], checkpointed[i], 5);
    }
}
