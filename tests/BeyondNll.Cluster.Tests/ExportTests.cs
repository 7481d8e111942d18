using BeyondNll.Client.Commands;
using BeyondNll.Grains;

namespace BeyondNll.Cluster.Tests;

/// <summary>`bnll export NAME --format verl`: the paper trainer's flag for a study's answer.</summary>
public class ExportTests
{
    static StudyStatus WithAnswer(string objective)
    {
        var status = StatusSamples.Completed();
        return status with { Answer = status.Answer! with { Objective = objective } };
    }

    [Theory]
    [InlineData("power:10", "trainer.objective_trans=GeneralFamily-10")]
    [InlineData("power:1", "trainer.objective_trans=p")]
    [InlineData("nll", "trainer.objective_trans=original")]
    [InlineData("top-p:0.5", "trainer.objective_trans=OnlyTopP-0.5")]
    [InlineData("bottom-logp:0.2", "trainer.objective_trans=OnlyBottomLogP-0.2")]
    public void Verl_flag_carries_the_paper_key(string objective, string flag)
    {
        var export = ExportCommand.Export(WithAnswer(objective), "verl");
        Assert.Equal(flag, export.Flag);
        Assert.Equal(objective, export.Objective);
    }

    [Fact]
    public void The_export_is_the_studys_answer_with_its_learning_rate()
    {
        var nllWon = StatusSamples.Completed(metric: "nll");
        var export = ExportCommand.Export(nllWon, "verl");
        Assert.Equal(("nll", "trainer.objective_trans=original", 0.75), (export.Objective, export.Flag, export.Value));
        Assert.Equal(nllWon.Answer!.LearningRate, export.Lr);
        Assert.False(export.Confirmed);
    }

    [Fact]
    public void Verl_gets_the_whole_winning_recipe_its_rate_first_among_the_optimiser_flags()
    {
        var status = StatusSamples.Completed();
        var answer = status.Answer!;
        var export = ExportCommand.Export(status with { Answer = answer with { LearningRate = 1e-4 } }, "verl");
        Assert.Equal("trainer.objective_trans=GeneralFamily-10", export.Flags[0]);
        Assert.Equal("optim.lr=0.0001", export.Flags[1]);
        Assert.Equal(1e-4, export.Lr);
        // Every field the paper's trainer has a key for, from the winner's recipe.
        var recipe = answer.Recipe!;
        Assert.Contains($"data.train_batch_size={recipe.BatchSize}", export.Flags);
        Assert.Contains($"data.max_length={recipe.MaxLength}", export.Flags);
        Assert.Contains($"trainer.total_training_steps={recipe.Steps}", export.Flags);
        Assert.Contains("model.lora_rank=0", export.Flags);
        Assert.Equal(("torch", false), (export.Workload, export.Confirmed));
        Assert.Contains(ExportCommand.Notes(export), n => n.Contains("unconfirmed"));
    }

    [Theory]
    [InlineData("power:0.00001", "trainer.objective_trans=GeneralFamily-0.00001")] // a plain decimal: the trainer splits its key at '-'
    [InlineData("top-p:0", "trainer.objective_trans=OnlyTopP-0")]
    [InlineData("bottom-p:1", "trainer.objective_trans=OnlyBottomP-1")]
    public void Keys_are_written_so_the_papers_trainer_reads_them(string objective, string flag) =>
        Assert.Equal(flag, ExportCommand.Export(WithAnswer(objective), "verl").Flag);

    [Theory]
    [InlineData("power:-0.5", "a negative k")]
    [InlineData("top-p:1", "asserts 0 <= q < 1 for OnlyTopP")]
    [InlineData("top-logp:1", "asserts 0 <= q < 1 for OnlyTopLogP")]
    [InlineData("bottom-p:0", "asserts 0 < q <= 1 for OnlyBottomP")]
    [InlineData("bottom-logp:0", "asserts 0 < q <= 1 for OnlyBottomLogP")]
    public void A_key_the_papers_trainer_cannot_read_is_refused_with_the_reason(string objective, string why)
    {
        // An ArgumentException: `bnll export` exits 2 (CommandLineExit.BadInput) and prints the message.
        var e = Assert.Throws<ArgumentException>(() => ExportCommand.Export(WithAnswer(objective), "verl"));
        Assert.StartsWith("study s1's answer cannot be exported for verl: ", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void A_recipe_the_papers_trainer_cannot_run_is_refused_with_the_reason()
    {
        var status = StatusSamples.Completed();
        var spoilt = status with { Answer = status.Answer! with { Recipe = status.Answer.Recipe! with { MinLrRatio = 0.1 } } };
        Assert.Contains("has no min_lr_ratio", Assert.Throws<ArgumentException>(() => ExportCommand.Export(spoilt, "verl")).Message);
    }

    [Fact]
    public void A_study_without_a_finished_trial_has_nothing_to_export()
    {
        var e = Assert.Throws<ArgumentException>(() => ExportCommand.Export(StatusSamples.JustStarted(), "verl"));
        Assert.Contains("no finished trial", e.Message);
    }

    [Fact]
    public void An_unknown_format_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => ExportCommand.Export(StatusSamples.Completed(), "trl"));
        Assert.Contains("'trl'", e.Message);
        Assert.Contains("verl", e.Message);
    }
}
