using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// The SwiGLU feed-forward block: down(silu(gate(x)) ⊙ up(x)), no biases. Parameter names
/// <c>gate_proj</c>, <c>up_proj</c>, <c>down_proj</c>, as Hugging Face's Llama and Qwen2.
/// </summary>
public sealed class SwiGluMlp : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "gate_proj")] readonly Linear gateProj;
    [ComponentName(Name = "up_proj")] readonly Linear upProj;
    [ComponentName(Name = "down_proj")] readonly Linear downProj;
    LoraAdapters? lora;   // registered as "lora" once adapters are added

    public SwiGluMlp(int hiddenSize, int intermediateSize) : base(nameof(SwiGluMlp))
    {
        gateProj = nn.Linear(hiddenSize, intermediateSize, hasBias: false);
        upProj = nn.Linear(hiddenSize, intermediateSize, hasBias: false);
        downProj = nn.Linear(intermediateSize, hiddenSize, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        Project(downProj, "down_proj", nn.functional.silu(Project(gateProj, "gate_proj", x)) * Project(upProj, "up_proj", x));

    Tensor Project(Linear projection, string name, Tensor x)
    {
        var y = projection.call(x);
        return lora?.Delta(name, x) is Tensor delta ? y + delta : y;
    }

    /// <summary>Adds LoRA adapters to the projections among <see cref="LoraOptions.Targets"/>.</summary>
    internal void EnableLora(LoraOptions options, Generator? generator)
    {
        var targets = new Dictionary<string, Linear> { ["gate_proj"] = gateProj, ["up_proj"] = upProj, ["down_proj"] = downProj }
            .Where(e => options.Targets.Contains(e.Key)).ToDictionary();
        if (targets.Count == 0 || lora is not null) return;
        lora = new LoraAdapters(targets, options, generator);
        register_module(LoraAdapters.ModuleName, lora);
    }

    internal void MergeLora() => lora?.Merge();
}
