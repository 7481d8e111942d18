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
    readonly double eps;

    public RmsNorm(int size, double eps) : base(nameof(RmsNorm))
    {
        this.eps = eps;
        weight = nn.Parameter(ones(size));
        RegisterComponents();
    }

    // Intermediates are left to the caller's dispose scope (DecoderBlock, DecoderLM.Hidden).
    // As Hugging Face's LlamaRMSNorm: normalised in float32 whatever the weights' dtype (bf16 has too
    // few mantissa bits for the mean of squares), cast back, then scaled.
    public override Tensor forward(Tensor x)
    {
        if (x.dtype == ScalarType.Float32) return x * x.square().mean([-1], keepdim: true).add(eps).rsqrt() * weight;
        var h = x.to_type(ScalarType.Float32);
        return (h * h.square().mean([-1], keepdim: true).add(eps).rsqrt()).to_type(x.dtype) * weight;
    }
}
