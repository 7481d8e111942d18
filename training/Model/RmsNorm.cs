using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// Root-mean-square layer norm: x / sqrt(mean(x²) + eps) · weight. No mean subtraction and no
/// bias, as in Llama; the learned scale is the parameter <c>weight</c>, initialised to ones.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    /// <summary>
    /// eps as a Scalar the module keeps alive: a temporary Scalar made implicitly for each call can be
    /// finalized while libtorch still reads it, which crashed a run ("Unknown scalar type" in pow)
    /// when several trainings shared a process.
    /// </summary>
    readonly Scalar epsScalar;
    /// <summary>
    /// add's alpha, passed explicitly for the same reason: add(Scalar) makes a temporary alpha of 1 inside
    /// TorchSharp, and that one, finalized mid-call, failed a CI run ("toFloat" in add).
    /// </summary>
    static readonly Scalar One = 1.ToScalar();

    public RmsNorm(int size, double eps) : base(nameof(RmsNorm))
    {
        epsScalar = eps.ToScalar();
        weight = nn.Parameter(ones(size));
        RegisterComponents();
    }

    // Intermediates are left to the caller's dispose scope (DecoderBlock, DecoderLM.Hidden).
    // As Hugging Face's LlamaRMSNorm: normalised in float32 whatever the weights' dtype (bf16 has too
    // few mantissa bits for the mean of squares), cast back, then scaled.
    public override Tensor forward(Tensor x)
    {
        if (x.dtype == ScalarType.Float32) return x * (x * x).mean([-1], keepdim: true).add(epsScalar, One).rsqrt() * weight;
        var h = x.to_type(ScalarType.Float32);
        return (h * (h * h).mean([-1], keepdim: true).add(epsScalar, One).rsqrt()).to_type(x.dtype) * weight;
    }
}
