using BeyondNll.Training.Model;
using static TorchSharp.torch;

namespace BeyondNll.Training.Tests.Model;

/// <summary>The plain (matmul, softmax, matmul) and the fused (SDPA) kernels compute the same attention.</summary>
public class CausalAttentionTests
{
    const long Plain = long.MaxValue, Fused = 0;

    [Theory]
    [InlineData(0, 7)]    // a whole sequence
    [InlineData(5, 3)]    // new tokens after cached ones: the triangle is offset by the cache
    [InlineData(9, 1)]    // one decoding step sees every cached key
    public void Plain_and_fused_kernels_agree_on_values_and_gradients(int start, int newTokens)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var q = randn(2, 3, newTokens, 8).requires_grad_(true);
        var k = randn(2, 3, start + newTokens, 8).requires_grad_(true);
        var v = randn(2, 3, start + newTokens, 8).requires_grad_(true);
        var upstream = randn(2, 3, newTokens, 8);

        (Tensor Y, Tensor Dq, Tensor Dk, Tensor Dv) Run(long maxPlainScores)
        {
            var y = CausalAttention.Compute(q, k, v, start, maxPlainScores);
            var grads = autograd.grad([y], [q, k, v], [upstream]);
            return (y.detach(), grads[0], grads[1], grads[2]);
        }

        var plain = Run(Plain);
        var fused = Run(Fused);
        Assert.True(plain.Y.allclose(fused.Y, rtol: 1e-5, atol: 1e-6));
        Assert.True(plain.Dq.allclose(fused.Dq, rtol: 1e-4, atol: 1e-5));
        Assert.True(plain.Dk.allclose(fused.Dk, rtol: 1e-4, atol: 1e-5));
        Assert.True(plain.Dv.allclose(fused.Dv, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void A_query_reads_only_keys_at_or_before_its_position()
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        var q = randn(1, 2, 4, 8);
        var k = randn(1, 2, 6, 8);
        var v = randn(1, 2, 6, 8);
        // Queries are positions 2..5: changing the key and value at position 5 may change only the last query's output.
        var changed = (k.clone(), v.clone());
        changed.Item1[.., .., 5] += 3;
        changed.Item2[.., .., 5] -= 3;
        foreach (var kernel in new[] { Plain, Fused })
        {
            var before = CausalAttention.Compute(q, k, v, 2, kernel);
            var after = CausalAttention.Compute(q, changed.Item1, changed.Item2, 2, kernel);
            Assert.True(before[.., .., ..3].allclose(after[.., .., ..3]));
            Assert.False(before[.., .., 3].allclose(after[.., .., 3]));
        }
    }
}
