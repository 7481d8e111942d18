using BeyondNll.Client.Commands;
using BeyondNll.Grains;
using BeyondNll.Search.Spaces;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Cluster.Tests;

/// <summary>`bnll search start`: bad input fails on the client, before any connection, with a message naming the flag.</summary>
public sealed class SearchStartInputTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("bnll-start-").FullName;
    readonly string train;
    readonly string val;

    public SearchStartInputTests()
    {
        train = Path.Combine(folder, "train.jsonl");
        val = Path.Combine(folder, "val.jsonl");
        File.WriteAllText(train, """{"prompt":"1+1=","response":"2"}""" + "\n");
        File.WriteAllText(val, """{"prompt":"2+2=","response":"4"}""" + "\n");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    StudyRequest Request(string space = NamedSpaces.Default) => new()
    {
        Name = "s1",
        Backbone = "tiny",
        TrainPath = train,
        ValPath = val,
        SpaceName = space,
        SpaceJson = "",
        Recipe = SearchStartCommand.DefaultRecipe,
    };

    static Func<StudyRequest, StudyRequest> Recipe(Func<TrainingRecipe, TrainingRecipe> change) => r => r with { Recipe = change(r.Recipe!) };

    [Fact]
    public void A_good_request_gets_absolute_paths_and_the_space_as_json()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, train);
        var resolved = SearchStartCommand.Resolve(Request(NamedSpaces.PaperGrid) with
        {
            TrainPath = relative,
            Enqueue = ["GeneralFamily-10", " top-p:0.50 "],
        });
        Assert.Equal(train, resolved.TrainPath);
        Assert.True(Path.IsPathRooted(resolved.ValPath));
        Assert.Equal(SearchSpaceJson.Write(NamedSpaces.CreatePaperGrid()), resolved.SpaceJson);
        Assert.Equal(NamedSpaces.PaperGrid, resolved.SpaceName);
        Assert.Equal(["power:10", "top-p:0.5"], resolved.Enqueue);
    }

    [Fact]
    public void A_space_file_is_sent_as_the_library_writes_it()
    {
        var file = Path.Combine(folder, "space.json");
        File.WriteAllText(file, """{"params": [{"name": "objective", "type": "categorical", "choices": ["nll", "power:2"]},]}""");
        var resolved = SearchStartCommand.Resolve(Request(file));
        var space = SearchSpaceJson.Parse(resolved.SpaceJson);
        Assert.Equal("objective", Assert.Single(space.Parameters).Name);
    }

    [Fact]
    public void An_unknown_named_space_lists_the_known_ones()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SearchStartCommand.Resolve(Request("defualt")));
        Assert.Contains("'defualt'", e.Message);
        Assert.Contains("default, paper-grid", e.Message);
    }

    [Fact]
    public void An_invalid_space_file_is_refused_with_the_parameter_named()
    {
        var file = Path.Combine(folder, "bad.json");
        File.WriteAllText(file, """{"params": [{"name": "k", "type": "float", "low": 5, "high": 1}]}""");
        var e = Assert.Throws<ArgumentException>(() => SearchStartCommand.Resolve(Request(file)));
        Assert.Contains("'k'", e.Message);
    }

    [Fact]
    public void A_space_file_of_the_wrong_shape_is_a_format_error()
    {
        var file = Path.Combine(folder, "shape.json");
        File.WriteAllText(file, """{"params": [{"name": "lr", "type": "float", "high": 1}]}""");
        var e = Assert.Throws<FormatException>(() => SearchStartCommand.Resolve(Request(file)));
        Assert.Contains("'lr'", e.Message);
    }

    [Fact]
    public void A_missing_train_file_is_named()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SearchStartCommand.Resolve(Request() with { TrainPath = "nowhere.jsonl" }));
        Assert.Contains("--train", e.Message);
        Assert.Contains("nowhere.jsonl", e.Message);
    }

    [Fact]
    public void Held_out_test_data_is_sent_as_an_absolute_path_and_a_missing_one_is_named()
    {
        var test = Path.Combine(folder, "test.jsonl");
        File.WriteAllText(test, """{"prompt":"3+3=","response":"6"}""" + "\n");
        Assert.Equal(test, SearchStartCommand.Resolve(Request() with { TestPath = Path.GetRelativePath(Environment.CurrentDirectory, test) }).TestPath);
        Assert.Null(SearchStartCommand.Resolve(Request()).TestPath);

        var e = Assert.Throws<FileNotFoundException>(() => SearchStartCommand.Resolve(Request() with { TestPath = "no-test.jsonl" }));
        Assert.Contains("--test", e.Message);
        Assert.Contains("no-test.jsonl", e.Message);
    }

    [Fact]
    public void Test_data_that_is_the_validation_or_training_file_is_no_held_out_test()
    {
        Assert.StartsWith("--test is the --val file", Assert.Throws<ArgumentException>(() => SearchStartCommand.Resolve(Request() with { TestPath = val })).Message);
        Assert.StartsWith("--test is the --train file", Assert.Throws<ArgumentException>(() => SearchStartCommand.Resolve(Request() with { TestPath = train })).Message);
    }

    [Theory]
    [InlineData("1e-5,1e-4, 3e-4", new[] { 1e-5, 1e-4, 3e-4 })]
    [InlineData("0.0001", new[] { 1e-4 })]
    public void A_rate_ladder_is_read_from_its_flag(string text, double[] rates) =>
        Assert.Equal(rates, SearchStartCommand.ParseRates("--lr-ladder", text));

    [Theory]
    [InlineData("1e-4,fast", "--lr-ladder: 'fast' is not a learning rate")]
    [InlineData(" , ", "--lr-ladder needs at least one rate")]
    public void A_rate_ladder_that_does_not_parse_is_named(string text, string expected) =>
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => SearchStartCommand.ParseRates("--lr-ladder", text)).Message);

    public static TheoryData<string, Func<StudyRequest, StudyRequest>> BadValues => new()
    {
        { "--trials", r => r with { Trials = 0 } },
        { "--parallel", r => r with { Parallel = 0 } },
        { "--steps", Recipe(r => r with { Steps = -1 }) },
        { "--batch-size", Recipe(r => r with { BatchSize = 0 }) },
        { "--evaluations", r => r with { Evaluations = -1 } },
        { "--lr", Recipe(r => r with { LearningRate = 0 }) },
        { "--sampler", r => r with { Sampler = "cmaes" } },
        { "--pruner", r => r with { Pruner = "pbt" } },
        { "--pruner", r => r with { Pruner = "asha:eta=1" } },
        { "--metric", r => r with { Metric = "loss" } },
        { "--workload", r => r with { Workload = "simulated:-1" } },
        { "--workload", r => r with { Workload = "jax" } },
        { "study name", r => r with { Name = "a|b" } },
        { "--dtype", Recipe(r => r with { Dtype = "float16" }) },
        { "--lora-rank", Recipe(r => r with { LoraRank = -2 }) },
        { "--lora-alpha", Recipe(r => r with { LoraRank = 4, LoraAlpha = double.NaN }) },
        { "--lora-targets", Recipe(r => r with { LoraRank = 4, LoraTargets = "" }) },
        { "--confirm-seeds", r => r with { Confirm = 1, ConfirmSeeds = 1 } },
        { "--answer", r => r with { AnswerFormat = "marker:" } },
        { "--lr-ladder", r => r with { LearningRates = [1e-4, 5] } },
        { "--startup", r => r with { Startup = -3 } },
        { "--trials", r => r with { Trials = 2 } }, // fewer than the NLL baseline at each of the default ladder's 3 rates
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Out_of_range_or_unknown_values_name_their_flag(string flag, Func<StudyRequest, StudyRequest> spoil)
    {
        var e = Assert.Throws<ArgumentException>(() => SearchStartCommand.Resolve(spoil(Request())));
        Assert.Contains(flag, e.Message);
    }

    [Fact]
    public void An_objective_to_enqueue_that_does_not_parse_is_named()
    {
        var e = Assert.Throws<FormatException>(() => SearchStartCommand.Resolve(Request() with { Enqueue = ["power:x"] }));
        Assert.StartsWith("--enqueue", e.Message);
    }

    [Theory]
    [InlineData("""{"name":"dropout","type":"float","low":0,"high":0.5}""", "search space parameter 'dropout' is read by nothing")]
    [InlineData("""{"name":"batch_size","type":"float","low":4,"high":32}""", "search space parameter 'batch_size' can take a value the training recipe refuses: recipe field batch_size cannot take that value")]
    [InlineData("""{"name":"warmup","type":"float","low":0,"high":1}""", "search space parameter 'warmup' can take a value the training recipe refuses: --warmup must be in [0, 1), got 1")]
    public void A_space_parameter_nothing_reads_or_the_recipe_refuses_is_named(string parameter, string expected)
    {
        var file = Path.Combine(folder, "space-extra.json");
        File.WriteAllText(file, $$$"""{"params": [{"name": "family", "type": "categorical", "choices": ["nll", "power"]}, {"name": "k", "type": "float", "low": 1, "high": 10, "when": {"family": ["power"]}}, {{{parameter}}}]}""");
        var e = Assert.Throws<ArgumentException>(() => SearchStartCommand.Resolve(Request(file)));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Recipe_fields_are_space_parameters_by_their_names()
    {
        var file = Path.Combine(folder, "space-recipe.json");
        File.WriteAllText(file, """{"params": [{"name": "family", "type": "categorical", "choices": ["nll", "power"]}, {"name": "k", "type": "float", "low": 1, "high": 10, "when": {"family": ["power"]}}, {"name": "batch_size", "type": "int", "low": 4, "high": 32}, {"name": "warmup", "type": "float", "low": 0, "high": 0.3}, {"name": "dtype", "type": "categorical", "choices": ["float32", "bfloat16"]}]}""");
        Assert.Equal(3, SearchSpaceJson.Parse(SearchStartCommand.Resolve(Request(file)).SpaceJson).Parameters.Count - 2);
    }

    [Fact]
    public void A_simulated_workload_with_seconds_is_accepted()
    {
        Assert.Equal("simulated:0.5", SearchStartCommand.Resolve(Request() with { Workload = "simulated:0.5" }).Workload);
    }
}
