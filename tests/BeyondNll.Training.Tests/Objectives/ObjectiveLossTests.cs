using BeyondNll.Training.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Tests.Objectives;

public class ObjectiveLossTests
{
    const int Vocab = 5;

    public static TheoryData<string> Specs => new()
    {
        "nll", "power:1", "power:10", "power:0.1", "power:-0.5", "top-p:0.4", "bottom-p:0.4", "top-logp:0.4", "bottom-logp:0.4",
    };

    /// <summary>Logits of one token over a 5-word vocabulary whose label (index 0) has probability p.</summary>
    static Tensor LogitsWithLabelProbability(double p) =>
        tensor(new[] { (float)Math.Log(4 * p / (1 - p)), 0f, 0f, 0f, 0f }).reshape(1, Vocab);

    [Theory]
    [MemberData(nameof(Specs))]
    public void Value_and_label_logit_gradient_match_the_closed_form(string spec)
    {
        var objective = Objective.Parse(spec);
        var loss = new ObjectiveLoss(objective);
        foreach (var p in new[] { 0.01, 0.1, 0.3, 0.5, 0.9, 0.99 })
        {
            using var scope = NewDisposeScope();
            var logits = LogitsWithLabelProbability(p).requires_grad_(true);
            var value = loss.BatchLoss(logits, tensor(new long[] { 0 }), ones(1));
            value.backward();

            var included = objective.Includes(p);
            Assert.Equal(included ? objective.Value(p) : 0, value.item<float>(), 1e-4 * Math.Max(1, objective.Value(p)));
            // d f / d z_label = f'(p) · p (1 - p) = -weight: every objective of the family pushes p up.
            var expectedGradient = -objective.GradientWeight(p);
            Assert.Equal(expectedGradient, logits.grad!.data<float>()[0], 1e-4);
        }
    }

    [Fact]
    public void Thresholded_loss_averages_over_the_tokens_its_indicator_keeps()
    {
        // Four response tokens of p 0.1, 0.3, 0.6, 0.9 and one prompt token of p 0.95.
        var ps = new[] { 0.1, 0.3, 0.6, 0.9, 0.95 };
        var logits = cat(ps.Select(LogitsWithLabelProbability).ToArray(), 0);
        var labels = zeros(ps.Length, dtype: int64);
        var mask = tensor(new float[] { 1, 1, 1, 1, 0 });

        var top = new ObjectiveLoss(Objective.Parse("top-p:0.5")).BatchLoss(logits, labels, mask).item<float>();
        Assert.Equal(((1 - 0.6) + (1 - 0.9)) / 2, top, 4);

        var bottomLog = new ObjectiveLoss(Objective.Parse("bottom-logp:0.5")).BatchLoss(logits, labels, mask).item<float>();
        Assert.Equal((-Math.Log(0.1) - Math.Log(0.3)) / 2, bottomLog, 4);

        var nll = new ObjectiveLoss(Objective.Nll).BatchLoss(logits, labels, mask).item<float>();
        Assert.Equal(ps.Take(4).Average(p => -Math.Log(p)), nll, 4);
    }

    [Fact]
    public void A_threshold_that_keeps_no_token_gives_zero_loss_not_nan()
    {
        var logits = LogitsWithLabelProbability(0.2);
        var value = new ObjectiveLoss(Objective.Parse("top-p:0.9")).BatchLoss(logits, tensor(new long[] { 0 }), ones(1));
        Assert.Equal(0f, value.item<float>());
    }

    [Fact]
    public void Negative_power_stays_finite_for_vanishing_probabilities()
    {
        var logits = tensor(new float[] { -200f, 0f, 0f, 0f, 0f }).reshape(1, Vocab).requires_grad_(true);
        var value = new ObjectiveLoss(Objective.Power(-2)).BatchLoss(logits, tensor(new long[] { 0 }), ones(1));
        value.backward();
        Assert.True(float.IsFinite(value.item<float>()));
        Assert.All(logits.grad!.data<float>().ToArray(), g => Assert.True(float.IsFinite(g)));
    }

    [Theory]
    [InlineData("nll")]
    [InlineData("power:10")]
    [InlineData("top-p:0.2")]
    [InlineData("bottom-logp:0.2")]
    public void Chunked_forward_backward_equals_the_plain_batch_loss(string spec)
    {
        var loss = new ObjectiveLoss(Objective.Parse(spec));
        manual_seed(7);
        var hidden = randn(3, 6, 8);
        var head = nn.Linear(8, 11, hasBias: false);
        var labels = randint(0, 11, new long[] { 3, 6 });
        var mask = tensor(new float[] { 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0 }).reshape(3, 6);

        // Reference: full logits, one loss, one backward.
        var h1 = hidden.clone().requires_grad_(true);
        var reference = loss.BatchLoss(head.forward(h1), labels, mask);
        reference.backward();
        var referenceHiddenGrad = h1.grad!.clone();
        var referenceHeadGrad = head.weight!.grad!.clone();
        head.zero_grad();

        // Chunks of 4 response tokens (10 response tokens → 3 chunks), gradient scale 0.5.
        var h2 = hidden.clone().requires_grad_(true);
        var stats = loss.ForwardBackward(h2, head.forward, labels, mask, gradientScale: 0.5, chunkTokens: 4);

        Assert.Equal(reference.item<float>(), (float)stats.Loss, 4);
        Assert.Equal(10, stats.ResponseTokens);
        Assert.True(allclose(h2.grad!, referenceHiddenGrad * 0.5, rtol: 1e-4, atol: 1e-6));
        Assert.True(allclose(head.weight!.grad!, referenceHeadGrad * 0.5, rtol: 1e-4, atol: 1e-6));
        Assert.Equal(0f, h2.grad![0, 0].abs().sum().item<float>()); // a prompt position gets no gradient
    }

    [Theory]
    [InlineData(128, ObjectiveLoss.DefaultChunkTokens)]   // small vocabularies: one chunk as before
    [InlineData(151936, 441)]                              // Qwen2.5: 441 × 151,936 float32 logits ≤ 256 MB
    [InlineData(128256, 523)]                              // Llama 3
    [InlineData(int.MaxValue, 1)]
    public void Chunks_shrink_with_the_vocabulary(int vocab, int tokens) =>
        Assert.Equal(tokens, ObjectiveLoss.ChunkTokensFor(vocab));
}
