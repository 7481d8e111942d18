using System.CommandLine;
using BeyondNll.Training.Model;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Client.Commands;

/// <summary>
/// The real-backbone flags that `bnll train` and `bnll search start` share (--dtype,
/// --gradient-checkpointing, --lora-rank, --lora-alpha, --lora-targets): one set of names, help
/// texts and defaults, read into <see cref="TuningSettings"/>, which checks them.
/// </summary>
public sealed class TuningCommandLine
{
    public Option<string> Dtype { get; } = new("--dtype")
    {
        Description = "Weights in float32 or bfloat16 (for GPU hosts; probabilities stay float32).",
        DefaultValueFactory = _ => TuningSettings.Default.Dtype,
    };

    public Option<bool> GradientCheckpointing { get; } = new("--gradient-checkpointing")
    {
        Description = "Recompute layer activations in the backward pass: less memory, about a third more time.",
    };

    public Option<int> LoraRank { get; } = new("--lora-rank")
    {
        Description = "Train LoRA adapters of this rank instead of all weights (0 = no LoRA); `train --out` saves them merged.",
        DefaultValueFactory = _ => TuningSettings.Default.LoraRank,
    };

    public Option<double> LoraAlpha { get; } = new("--lora-alpha")
    {
        Description = "LoRA scale numerator: adapters add (alpha / rank) · B A x.",
        DefaultValueFactory = _ => TuningSettings.Default.LoraAlpha,
    };

    public Option<string> LoraTargets { get; } = new("--lora-targets")
    {
        Description = "Comma-separated projections to adapt (q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj) or all-linear.",
        DefaultValueFactory = _ => LoraOptions.AllLinear,
    };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Option[] all = [GradientCheckpointing, Dtype, LoraRank, LoraAlpha, LoraTargets];
        foreach (var option in all) command.Options.Add(option);
    }

    /// <summary>The settings as given, checked: an <see cref="ArgumentException"/> names the first bad flag.</summary>
    public TuningSettings Read(ParseResult parse)
    {
        var settings = new TuningSettings
        {
            Dtype = parse.GetValue(Dtype)!,
            GradientCheckpointing = parse.GetValue(GradientCheckpointing),
            LoraRank = parse.GetValue(LoraRank),
            LoraAlpha = parse.GetValue(LoraAlpha),
            LoraTargets = parse.GetValue(LoraTargets)!,
        };
        settings.Validate();
        return settings;
    }
}
