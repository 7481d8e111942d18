using System.Globalization;
using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Client.Export;

/// <summary>
/// A training recipe as the flags of the paper's trainer: verl's FSDP SFT trainer as the paper's
/// repository ships it (GaotangLi/Beyond-Log-Likelihood, main_verl/trainer/fsdp_sft_trainer.py, with
/// its config/sft_trainer.yaml), Hydra overrides one per line. Every recipe field that trainer has a
/// key for is written, defaults included (its own defaults differ: lr 1e-5, gradient checkpointing on).
/// </summary>
/// <remarks>
/// What that trainer cannot do is refused, with the reason, rather than written as a flag it would
/// misread: it reads the objective's number with <c>objective_trans.split("-")[1]</c> (so neither a
/// negative k nor a number with an exponent survives: numbers are written in plain decimals, and a
/// negative k is refused), asserts 0 ≤ q &lt; 1 for OnlyTopP/OnlyTopLogP and 0 &lt; q ≤ 1 for
/// OnlyBottomP/OnlyBottomLogP, decays its cosine schedule to 0 (no min_lr_ratio) and needs the batch
/// to be a whole number of micro-batches. Not written, as it has no key for them: the seed (its data
/// order comes from its own sampler), chunk_tokens (an implementation detail of this trainer's loss).
/// Its cosine schedule spans data.train_batch_size's epochs (trainer.total_epochs), while
/// trainer.total_training_steps only stops it early: set total_epochs so the two agree.
/// </remarks>
public static class VerlFlags
{
    /// <exception cref="ArgumentException">A recipe the paper's trainer cannot run as it is; the message says why.</exception>
    public static IReadOnlyList<string> Of(TrainingRecipe recipe)
    {
        var flags = new List<string>
        {
            $"trainer.objective_trans={ObjectiveKey(recipe.ParsedObjective())}",
            $"optim.lr={Number(recipe.LearningRate)}",
            $"optim.betas=[{Number(recipe.Beta1)},{Number(recipe.Beta2)}]",
            $"optim.weight_decay={Number(recipe.WeightDecay)}",
            $"optim.warmup_steps_ratio={Number(recipe.WarmupFraction)}",
            $"optim.clip_grad={Number(recipe.GradientClip)}",
            "optim.lr_scheduler=cosine",
            $"data.train_batch_size={recipe.BatchSize}",
            $"data.micro_batch_size_per_gpu={MicroBatch(recipe)}",
            $"data.max_length={recipe.MaxLength}",
            $"trainer.total_training_steps={recipe.Steps}",
            $"model.fsdp_config.model_dtype={Dtype(recipe.Dtype)}",
            $"model.enable_gradient_checkpointing={(recipe.GradientCheckpointing ? "True" : "False")}",
            $"model.lora_rank={recipe.LoraRank}",
        };
        if (recipe.LoraRank > 0)
        {
            flags.Add($"model.lora_alpha={Number(recipe.LoraAlpha)}");
            var targets = LoraOptions.ParseTargets(recipe.LoraTargets);
            flags.Add($"model.target_modules={(targets.SequenceEqual([LoraOptions.AllLinear]) ? LoraOptions.AllLinear : $"[{string.Join(",", targets)}]")}");
        }
        if (recipe.MinLrRatio != 0)
            throw new ArgumentException($"min_lr_ratio {Number(recipe.MinLrRatio)}: the paper's trainer decays its cosine schedule to 0 " +
                "and has no min_lr_ratio to set, so it would not train this recipe");
        return flags;
    }

    /// <summary>The objective's key as the paper's trainer reads it: original, p, GeneralFamily-k, OnlyTopP-q, ...</summary>
    /// <exception cref="ArgumentException">A key that trainer cannot parse or rejects; the message says why.</exception>
    public static string ObjectiveKey(Objective objective)
    {
        var q = objective.Parameter;
        switch (objective.Family)
        {
            case ObjectiveFamily.Nll:
                return "original";
            case ObjectiveFamily.Power when q == 1:
                return "p";
            case ObjectiveFamily.Power when q < 0:
                throw new ArgumentException($"{objective.Spec}: the paper's trainer reads the exponent as objective_trans.split(\"-\")[1], " +
                    $"so a negative k ({objective.PaperKey}) reads as an empty number; it cannot train a prior-averse power:k");
            case ObjectiveFamily.TopP or ObjectiveFamily.TopLogP when q >= 1:
                throw new ArgumentException($"{objective.Spec}: the paper's trainer asserts 0 <= q < 1 for {Name(objective)} (top_th), so it refuses q = {Number(q)}");
            case ObjectiveFamily.BottomP or ObjectiveFamily.BottomLogP when q <= 0:
                throw new ArgumentException($"{objective.Spec}: the paper's trainer asserts 0 < q <= 1 for {Name(objective)} (bottom_th), so it refuses q = {Number(q)}");
        }
        return $"{Name(objective)}-{Decimal(objective, q)}";
    }

    static string Name(Objective o) => o.Family switch
    {
        ObjectiveFamily.Power => "GeneralFamily",
        ObjectiveFamily.TopP => "OnlyTopP",
        ObjectiveFamily.BottomP => "OnlyBottomP",
        ObjectiveFamily.TopLogP => "OnlyTopLogP",
        _ => "OnlyBottomLogP",
    };

    /// <summary>A plain decimal (0.00001, not 1E-05): the trainer splits its key at '-', so an exponent would cut the number.</summary>
    static string Decimal(Objective o, double value)
    {
        if (Math.Abs(value) >= 1e15 || (value != 0 && Math.Abs(value) < 1e-12))
            throw new ArgumentException($"{o.Spec}: {Number(value)} has no plain decimal spelling the paper's trainer could read in its key");
        return ((decimal)value).ToString(CultureInfo.InvariantCulture);
    }

    static int MicroBatch(TrainingRecipe recipe)
    {
        var micro = recipe.MicroBatch();
        if (recipe.BatchSize % micro != 0)
            throw new ArgumentException($"micro_batch_size {micro}: the paper's trainer asserts that data.train_batch_size ({recipe.BatchSize}) " +
                "is a whole number of micro-batches");
        return micro;
    }

    static string Dtype(string dtype) => WeightPrecision.Parse(dtype) == TorchSharp.torch.ScalarType.BFloat16 ? "bf16" : "fp32";

    /// <summary>A number as Hydra reads it: 0.001, 1e-05.</summary>
    static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();
}
