using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// The SwiGLU feed-forward block: down(silu(gate(x)) ⊙ up(x)), no biases. Parameter names
/// <c>gate_proj</c>, <c>up_proj</c>, <c>down_proj</c>, as Hugging Face's Llama and Qwen2.
/// </summary>
public sealed class SwiGluMlp : nn.Module<Tensor, Tensor>
{
    readonly Linear gateProj, upProj, downProj;

    public SwiGluMlp(int hiddenSize, int intermediateSize) : base(nameof(SwiGluMlp))
    {
        gateProj = nn.Linear(hiddenSize, intermediateSize, hasBias: false);
        upProj = nn.Linear(hiddenSize, intermediateSize, hasBias: false);
        downProj = nn.Linear(intermediateSize, hiddenSize, hasBias: false);
        register_module("gate_proj", gateProj);
        register_module("up_proj", upProj);
        register_module("down_proj", downProj);
    }

    public override Tensor forward(Tensor x) =>
        downProj.call(nn.functional.silu(gateProj.call(x)) * upProj.call(x));
}
