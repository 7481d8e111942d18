using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Client.Commands;

/// <summary>
/// The training-recipe flags that `bnll train` and `bnll search start` share: --steps, --lr,
/// --batch-size, --max-length, the real-backbone flags (--dtype, --gradient-checkpointing,
/// --lora-rank, --lora-alpha, --lora-targets) and --set FIELD=VALUE for any other recipe field. One
/// set of names and help texts (each command gives its own defaults), read into a
/// <see cref="TrainingRecipe"/>, which checks them.
/// </summary>
public sealed class RecipeCommandLine
{
    readonly TrainingRecipe defaults;

    /// <param name="defaults">The command's defaults for the flags.</param>
    /// <param name="learningRateHelp">What --lr means for the command.</param>
    public RecipeCommandLine(TrainingRecipe defaults, string learningRateHelp)
    {
        this.defaults = defaults;
        Steps = new("--steps") { Description = "Optimizer steps per run.", DefaultValueFactory = _ => defaults.Steps };
        LearningRate = new("--lr") { Description = learningRateHelp, DefaultValueFactory = _ => defaults.LearningRate };
        BatchSize = new("--batch-size") { Description = "Examples per step.", DefaultValueFactory = _ => defaults.BatchSize };
        MaxLength = new("--max-length") { Description = "Tokens per example at most.", DefaultValueFactory = _ => defaults.MaxLength };
        Dtype.DefaultValueFactory = _ => defaults.Dtype;
        LoraRank.DefaultValueFactory = _ => defaults.LoraRank;
        LoraAlpha.DefaultValueFactory = _ => defaults.LoraAlpha;
        LoraTargets.DefaultValueFactory = _ => defaults.LoraTargets;
    }

    public Option<int> Steps { get; }
    public Option<double> LearningRate { get; }
    public Option<int> BatchSize { get; }
    public Option<int> MaxLength { get; }

    public Option<string> Dtype { get; } = new("--dtype")
    {
        Description = "Weights in float32 or bfloat16 (for GPU hosts; probabilities stay float32).",
    };

    public Option<bool> GradientCheckpointing { get; } = new("--gradient-checkpointing")
    {
        Description = "Recompute layer activations in the backward pass: less memory, about a third more time.",
    };

    public Option<int> LoraRank { get; } = new("--lora-rank")
    {
        Description = "Train LoRA adapters of this rank instead of all weights (0 = no LoRA); `train --out` saves them merged.",
    };

    public Option<double> LoraAlpha { get; } = new("--lora-alpha")
    {
        Description = "LoRA scale numerator: adapters add (alpha / rank) · B A x.",
    };

    public Option<string> LoraTargets { get; } = new("--lora-targets")
    {
        Description = "Comma-separated projections to adapt (q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj) or all-linear.",
    };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = $"Any training recipe field, as FIELD=VALUE (repeatable): {string.Join(", ", RecipeFields.Names)}.",
    };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Option[] all = [Steps, LearningRate, BatchSize, MaxLength, GradientCheckpointing, Dtype, LoraRank, LoraAlpha, LoraTargets, Set];
        foreach (var option in all) command.Options.Add(option);
    }

    /// <summary>The recipe the flags give, checked: an <see cref="ArgumentException"/> names the first bad flag or field.</summary>
    public TrainingRecipe Read(ParseResult parse)
    {
        var recipe = defaults with
        {
            Steps = parse.GetValue(Steps),
            LearningRate = parse.GetValue(LearningRate),
            BatchSize = parse.GetValue(BatchSize),
            MaxLength = parse.GetValue(MaxLength),
            Dtype = parse.GetValue(Dtype)!,
            GradientCheckpointing = parse.GetValue(GradientCheckpointing),
            LoraRank = parse.GetValue(LoraRank),
            LoraAlpha = parse.GetValue(LoraAlpha),
            LoraTargets = parse.GetValue(LoraTargets)!,
        };
        try
        {
            recipe = RecipeFields.With(recipe, (parse.GetValue(Set) ?? []).Select(Field).ToList());
        }
        catch (ArgumentException e) when (!e.Message.StartsWith("--set", StringComparison.Ordinal))
        {
            throw new ArgumentException($"--set: {e.Message}", e);
        }
        recipe.Validate();
        return recipe;
    }

    /// <summary>"warmup=0.05" → (warmup, 0.05): JSON values (numbers, true, false) as they are, anything else as text.</summary>
    static KeyValuePair<string, JsonNode?> Field(string assignment)
    {
        var equals = assignment.IndexOf('=');
        if (equals <= 0) throw new ArgumentException($"--set '{assignment}' is not FIELD=VALUE");
        var (name, text) = (assignment[..equals].Trim(), assignment[(equals + 1)..].Trim());
        JsonNode? value;
        try
        {
            value = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            value = JsonValue.Create(text);
        }
        return KeyValuePair.Create(name, value);
    }
}
