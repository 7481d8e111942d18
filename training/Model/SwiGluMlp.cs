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

    public SwiGluMlp(int hiddenSize, int intermediateSize) : base(nameof(SwiGluMlp))
    {
        gateProj = nn.Linear(hiddenSize, intermediateSize, hasBias: false);
        upProj = nn.Linear(hiddenSize, intermediateSize, hasBias: false);
        downProj = nn.Linear(intermediateSize, hiddenSize, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        downProj.call(nn.functional.silu(gateProj.call(x)) * upProj.call(x));
}
