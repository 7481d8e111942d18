using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Data;
using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;
using static TorchSharp.torch;
using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Model;

public class WeightPrecisionTests
{
    [Fact]
    public void Bf16_weights_train_with_float32_probabilities_and_save_as_bf16()
    {
        using var model = Peaked(Gqa with { TieEmbeddings = true, AttentionBias = true });
        using var ids = RandomIds(Gqa, 2, 10);
        using var reference = model.forward(ids).detach();
        WeightPrecision.Apply(model, WeightPrecision.Parse("bf16"));
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));

        using (no_grad())
        {
            using var logits = model.forward(ids);
            Assert.Equal(ScalarType.BFloat16, logits.dtype);
            using var logProbs = ObjectiveLoss.LabelLogProbs(logits, ids);
            Assert.Equal(ScalarType.Float32, logProbs.dtype);
            // bf16 keeps 8 bits of mantissa: close to the float32 model, not equal.
            var diff = (logits.to_type(ScalarType.Float32) - reference).abs().max().item<float>();
            Assert.True(diff < 0.1 * reference.abs().max().item<float>(), $"bf16 logits differ by {diff}");
        }

        var random = new Random(2);
        var data = Enumerable.Range(0, 4).Select(_ => new TokenizedExample([random.Next(1, 61), random.Next(1, 61)],
            [random.Next(1, 61), random.Next(1, 61), random.Next(1, 61)])).ToList();
        var result = new SftTrainer(model, new TrainingRecipe { Objective = "power:1", Steps = 2, BatchSize = 4, MaxLength = 8, LearningRate = 1e-2 }, 0)
            .Train(data);
        Assert.All(result.History, h => Assert.True(double.IsFinite(h.Loss) && h.Loss > 0));
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));

        using var dir = new TempFolder();
        Checkpoint.Save(model, dir.Path);
        using (var file = SafeTensorsFile.Open(dir.File("model.safetensors")))
            Assert.All(file.Tensors.Values, t => Assert.Equal("BF16", t.DType));
        using var loaded = Checkpoint.Load(dir.Path);
        foreach (var ((name, a), (_, b)) in model.named_parameters().Zip(loaded.named_parameters()))
            Assert.True(a.to_type(ScalarType.Float32).equal(b).all().item<bool>(), name);
    }

    [Fact]
    public void Unknown_dtypes_are_refused_by_name()
    {
        Assert.Contains("'float16'", Assert.Throws<ArgumentException>(() => WeightPrecision.Parse("float16")).Message);
    }
}
