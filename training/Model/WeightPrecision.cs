using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// The dtype a model's weights are kept and trained in. float32 is the default; bfloat16 halves the
/// memory of weights, gradients and optimizer state, for GPU hosts (on CPU it is slow). Whatever the
/// weights, the objectives see float32 probabilities (<see cref="Objectives.ObjectiveLoss.LabelLogProbs"/>
/// upcasts the logits) and RMS norms normalise in float32, as Hugging Face's models do.
/// </summary>
public static class WeightPrecision
{
    public const string Float32 = "float32", BFloat16 = "bfloat16";

    /// <summary>"float32"/"f32"/"fp32" or "bfloat16"/"bf16"; an <see cref="ArgumentException"/> names anything else.</summary>
    public static ScalarType Parse(string name) => name.ToLowerInvariant() switch
    {
        "float32" or "f32" or "fp32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"unknown weight dtype '{name}'; use float32 or bfloat16"),
    };

    /// <summary>Converts the model's parameters and buffers (rotary tables included) to <paramref name="dtype"/> in place.</summary>
    public static void Apply(DecoderLM model, ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16))
            throw new ArgumentException($"weights can be float32 or bfloat16, not {dtype}");
        model.to(dtype);
    }
}
