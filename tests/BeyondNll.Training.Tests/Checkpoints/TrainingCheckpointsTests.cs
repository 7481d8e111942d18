using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Data;
using BeyondNll.Training.Model;
using BeyondNll.Training.Synthetic;
using BeyondNll.Training.Tokenization;
using BeyondNll.Training.Trainer;
using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Checkpoints;

/// <summary>Resumable checkpoints: a run stopped and resumed ends where one never stopped would.</summary>
public class TrainingCheckpointsTests
{
    static readonly ByteTokenizer Tokenizer = new();
    static readonly List<TokenizedExample> Examples = SyntheticData.Generate(SyntheticTasks.Get("addition"), 48, noise: 0, seed: 4, valCount: 1)
        .Train.Select(e => TokenizedExample.From(e, Tokenizer)).ToList();

    static TrainingRecipe Recipe(int loraRank = 0, string dtype = WeightPrecision.Float32) => new()
    {
        Objective = "power:2", Steps = 12, LearningRate = 3e-3, BatchSize = 8, MicroBatchSize = 4, MaxLength = 32, Seed = 5,
        LoraRank = loraRank, Dtype = dtype, WarmupFraction = 0.25,
    };

    /// <summary>A fresh model prepared as the recipe says (the same weights every time), trained; cancelled after <paramref name="stopAfter"/> steps.</summary>
    static (DecoderLM Model, TrainingResult? Result) Train(TrainingRecipe recipe, TrainingCheckpoints? checkpoints, int? stopAfter = null)
    {
        var model = Seeded(3);
        recipe.Prepare(model);
        using var stop = new CancellationTokenSource();
        try
        {
            var result = new SftTrainer(model, recipe, Tokenizer.PadId).Train(Examples, cancellation: stop.Token, checkpoints: checkpoints,
                afterStep: s => { if (s.Step == stopAfter) stop.Cancel(); });
            return (model, result);
        }
        catch (OperationCanceledException)
        {
            return (model, null);
        }
    }

    static void AssertSameWeights(DecoderLM expected, DecoderLM actual)
    {
        var a = expected.named_parameters().ToList();
        var b = actual.named_parameters().ToList();
        Assert.Equal(a.Select(p => p.name), b.Select(p => p.name));
        foreach (var ((name, x), (_, y)) in a.Zip(b)) Assert.True(Identical(x, y), $"{name} differs");
    }

    [Theory]
    [InlineData(0, WeightPrecision.Float32)]
    [InlineData(4, WeightPrecision.Float32)]
    [InlineData(0, WeightPrecision.BFloat16)]
    public void A_run_stopped_after_a_checkpoint_and_resumed_ends_with_the_weights_of_one_never_stopped(int loraRank, string dtype)
    {
        var recipe = Recipe(loraRank, dtype);
        var (whole, wholeResult) = Train(recipe, null);
        using var folder = new TempDirectory();
        var notes = new List<string>();

        // Stopped at step 7: the checkpoints of steps 3 and 6 are written, step 7 is lost.
        var (stopped, none) = Train(recipe, new TrainingCheckpoints(folder.Path, 3, "run"), stopAfter: 7);
        Assert.Null(none);
        var resumedAt = new List<int>();
        var (resumed, result) = Train(recipe, new TrainingCheckpoints(folder.Path, 3, "run", notes.Add) { OnResumed = resumedAt.Add });

        Assert.Equal([6], resumedAt);
        Assert.Equal(6, result!.ResumedFrom);
        Assert.Equal(Enumerable.Range(7, 6), result.History.Select(h => h.Step));
        Assert.Equal(wholeResult!.History.Skip(6).Select(h => h.Loss), result.History.Select(h => h.Loss));
        AssertSameWeights(whole, resumed);
        Assert.Empty(notes);
        foreach (var m in new[] { whole, stopped, resumed }) m.Dispose();
    }

    [Fact]
    public void An_unreadable_newest_checkpoint_is_skipped_for_the_one_before()
    {
        var recipe = Recipe();
        using var folder = new TempDirectory();
        Train(recipe, new TrainingCheckpoints(folder.Path, 3, "run"), stopAfter: 7).Model.Dispose();
        Assert.Equal(["step-00000003", "step-00000006"], Directory.GetDirectories(folder.Path).Select(Path.GetFileName).Order());
        var newest = Path.Combine(folder.Path, "step-00000006", "trainable.safetensors");
        File.WriteAllBytes(newest, File.ReadAllBytes(newest)[..100]); // cut short, as a full disk would

        var notes = new List<string>();
        var (resumed, result) = Train(recipe, new TrainingCheckpoints(folder.Path, 3, "run", notes.Add));
        Assert.Equal(3, result!.ResumedFrom);
        Assert.Contains(notes, n => n.Contains("step-00000006") && n.Contains("skipped"));
        var (whole, _) = Train(recipe, null);
        AssertSameWeights(whole, resumed);
        whole.Dispose();
        resumed.Dispose();
    }

    [Fact]
    public void Checkpoints_of_another_run_and_half_written_ones_are_never_resumed()
    {
        var recipe = Recipe();
        using var folder = new TempDirectory();
        Train(recipe, new TrainingCheckpoints(folder.Path, 3, "another recipe"), stopAfter: 4).Model.Dispose();
        var halfWritten = Directory.CreateDirectory(Path.Combine(folder.Path, "step-00000009.tmp-0123")).FullName;

        var notes = new List<string>();
        var (model, result) = Train(recipe, new TrainingCheckpoints(folder.Path, 3, "this recipe", notes.Add));
        Assert.Equal(0, result!.ResumedFrom);
        Assert.Equal(12, result.History.Count);
        Assert.Contains(notes, n => n.Contains("another recipe or other inputs"));
        Assert.False(Directory.Exists(halfWritten));
        model.Dispose();
    }

    [Fact]
    public void Only_the_two_newest_checkpoints_are_kept_and_none_after_the_last_step()
    {
        var written = new List<CheckpointWritten>();
        using var folder = new TempDirectory();
        Train(Recipe(), new TrainingCheckpoints(folder.Path, 2, "run") { OnWritten = written.Add }).Model.Dispose();

        Assert.Equal([2, 4, 6, 8, 10], written.Select(w => w.Step)); // not 12: the run is over, its result is what counts
        Assert.All(written, w => Assert.True(w.Bytes > 0 && w.Seconds >= 0));
        Assert.Equal(["step-00000008", "step-00000010"], Directory.GetDirectories(folder.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_run_shorter_than_its_checkpoints_time_floor_writes_none()
    {
        var written = new List<CheckpointWritten>();
        using var folder = new TempDirectory();
        Train(Recipe(), new TrainingCheckpoints(folder.Path, 2, "run") { MinSeconds = 3600, OnWritten = written.Add }).Model.Dispose();

        Assert.Empty(written);
        Assert.False(Directory.Exists(folder.Path) && Directory.EnumerateFileSystemEntries(folder.Path).Any());
    }

    [Theory]
    [InlineData(0, 0, 100, 5)]     // 5% of the steps
    [InlineData(0, 0, 10, 1)]
    [InlineData(0, 0, 1001, 51)]
    [InlineData(0, 25, 100, 25)]   // the host's setting
    [InlineData(10, 25, 100, 10)]  // the recipe's wins
    public void The_checkpoint_interval_is_the_recipes_else_the_hosts_else_five_percent(int recipe, int host, int steps, int expected) =>
        Assert.Equal(expected, (TrainingRecipe.Default with { CheckpointEvery = recipe, Steps = steps }).CheckpointInterval(host));

    [Fact]
    public void A_negative_checkpoint_interval_is_refused_by_its_flag()
    {
        var e = Assert.Throws<ArgumentException>(() => (TrainingRecipe.Default with { CheckpointEvery = -1 }).Validate());
        Assert.Contains("--checkpoint-every", e.Message);
        Assert.Contains("checkpoint_every", RecipeFields.Names);
    }
}
