using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// softmax(q kᵀ / √d + causal mask) v for queries at positions start .. start+T-1 over keys at
/// positions 0 .. S-1 (S = start + T), with one of two kernels that give the same result:
/// <list type="bullet">
/// <item>the plain ("math") form, two batched matrix products around a softmax, which keeps the
/// whole [B, heads, T, S] score tensor (autograd saves the probabilities for backward);</item>
/// <item>libtorch's fused scaled_dot_product_attention, which never builds that tensor.</item>
/// </list>
/// <para>
/// Why both: on CPU libtorch's fused kernel (cpu_flash_attention) works in 32-query blocks with
/// small GEMMs and is about 2× slower than the plain form for short sequences (forward + backward,
/// 2 threads: 20.6 against 8.6 ms at B 32, 4 heads, T 128, d 32; 12.0 against 8.5 ms at B 4, 8
/// heads, T 256). The plain form only pays while its scores stay small: a block of 32 MB or more is
/// mapped fresh from the kernel on every allocation (glibc's largest mmap threshold), and then
/// it is 2–4× slower than the fused kernel; long sequences need the fused kernel for memory anyway.
/// So the plain form is used on CPU, in float32, while the scores have at most
/// <see cref="MaxPlainScores"/> elements (16 MB); everything else, CUDA included, goes to the fused kernel.
/// </para>
/// </summary>
public static class CausalAttention
{
    /// <summary>Largest score tensor (elements) the plain form is used for: 16 MB of float32.</summary>
    public const long MaxPlainScores = 4L << 20;

    /// <summary>q [B, heads, T, d], k and v [B, heads, S, d] (key/value heads already repeated for GQA).</summary>
    /// <param name="maxPlainScores">Override of <see cref="MaxPlainScores"/> (tests force one kernel or the other).</param>
    public static Tensor Compute(Tensor q, Tensor k, Tensor v, long start, long maxPlainScores = MaxPlainScores)
    {
        long b = q.shape[0], heads = q.shape[1], t = q.shape[2], s = k.shape[2];
        bool plain = q.device_type == DeviceType.CPU && q.dtype == ScalarType.Float32 && b * heads * t * s <= maxPlainScores;
        return plain ? Plain(q, k, v, start) : Fused(q, k, v, start);
    }

    static Tensor Plain(Tensor q, Tensor k, Tensor v, long start)
    {
        long t = q.shape[2];
        // In place on the product's own output: matmul's backward needs q and k, not its result.
        var scores = q.matmul(k.transpose(-2, -1)).mul_(ScaleFor(q.shape[3]));
        // A single new token sees every key before it; otherwise hide the keys after each query.
        if (t > 1) scores = scores.masked_fill_(Hidden(start, t, q.device), double.NegativeInfinity);
        return scores.softmax(-1).matmul(v);
    }

    static Tensor Fused(Tensor q, Tensor k, Tensor v, long start) => start == 0
        // The whole sequence: SDPA's own causal mask (query i sees keys 0..i).
        ? nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, q.shape[2] > 1)
        // New tokens after cached ones: SDPA's is_causal aligns the triangle to the top-left
        // corner of the [T, start+T] scores, which is wrong here, so pass the mask explicitly.
        // A single token sees every cached key and needs none.
        : nn.functional.scaled_dot_product_attention(q, k, v, q.shape[2] > 1 ? Visible(start, q.shape[2], q.device) : null, 0.0, false);

    /// <summary>
    /// 1/√d as a Scalar that lives as long as the process: a temporary Scalar made for the call can be
    /// finalized while libtorch still reads it (as RmsNorm's eps once was). One per head size.
    /// </summary>
    static Scalar ScaleFor(long headDim) => Scales.GetOrAdd(headDim, d => (1.0 / Math.Sqrt(d)).ToScalar());
    static readonly System.Collections.Concurrent.ConcurrentDictionary<long, Scalar> Scales = new();

    /// <summary>[T, start+T]: true where query start+i may read key j, i.e. j ≤ start + i.</summary>
    static Tensor Visible(long start, long t, Device device) => Hidden(start, t, device).logical_not_();

    /// <summary>[T, start+T]: true where query start+i must not read key j, i.e. j > start + i.</summary>
    static Tensor Hidden(long start, long t, Device device) =>
        arange(start + t, device: device).unsqueeze(0) > arange(start, start + t, device: device).unsqueeze(1);
}
