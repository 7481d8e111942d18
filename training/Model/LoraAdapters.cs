using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// The LoRA adapters of one attention or MLP block (see <see cref="LoraOptions"/>), registered in it
/// as the submodule <c>lora</c>: for target t the parameters <c>t_lora_A</c> [rank, in] and
/// <c>t_lora_B</c> [out, rank]. The block adds <see cref="Delta"/> to each targeted projection's output.
/// </summary>
public sealed class LoraAdapters : nn.Module
{
    /// <summary>The submodule name: adapter parameters are the ones with ".lora." in their names.</summary>
    public const string ModuleName = "lora";

    // The projections by target name. A and B are looked up by name at each use, not kept in fields:
    // Module.to(device or dtype) replaces registered parameters with new ones.
    readonly Dictionary<string, Linear> adapters = [];
    readonly double scale;

    public LoraAdapters(IReadOnlyDictionary<string, Linear> targets, LoraOptions options, Generator? generator) : base(nameof(LoraAdapters))
    {
        scale = options.Scale;
        foreach (var (name, linear) in targets)
        {
            var weight = linear.weight!;
            long outFeatures = weight.shape[0], inFeatures = weight.shape[1];
            // PEFT's initialisation: A ~ kaiming-uniform(a = √5), i.e. U(±1/√in); B = 0.
            var bound = 1.0 / Math.Sqrt(inFeatures);
            var a = nn.Parameter(empty(options.Rank, inFeatures, dtype: weight.dtype, device: weight.device));
            using (no_grad()) a.uniform_(-bound, bound, generator);
            var b = nn.Parameter(zeros(outFeatures, options.Rank, dtype: weight.dtype, device: weight.device));
            register_parameter($"{name}_lora_A", a);
            register_parameter($"{name}_lora_B", b);
            adapters[name] = linear;
        }
    }

    /// <summary>(alpha / rank) · B A x for the projection <paramref name="target"/>; null when it has no adapter.</summary>
    public Tensor? Delta(string target, Tensor x) =>
        adapters.ContainsKey(target)
            ? nn.functional.linear(nn.functional.linear(x, A(target)), B(target)) * scale
            : null;

    Parameter A(string target) => get_parameter($"{target}_lora_A")!;
    Parameter B(string target) => get_parameter($"{target}_lora_B")!;

    /// <summary>Folds each adapter into its projection (W += scale · B A) and zeroes B, so the block computes the same function with or without the adapters.</summary>
    public void Merge()
    {
        using var noGrad = no_grad();
        foreach (var (target, linear) in adapters)
        {
            linear.weight!.add_(B(target).matmul(A(target)) * scale);
            B(target).zero_();
        }
    }
}
