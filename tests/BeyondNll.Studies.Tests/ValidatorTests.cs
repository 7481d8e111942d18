using BeyondNll.Grains;
using BeyondNll.Search.Spaces;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Studies.Tests;

/// <summary>The one set of request rules: every problem named, before anything is stored.</summary>
public class ValidatorTests
{
    static StudyRequest Good => Driver.Request();

    public static TheoryData<Func<StudyRequest, StudyRequest>, string> Bad => new()
    {
        { r => r with { Name = "a|b" }, "study name 'a|b' must be 1-100 letters" },
        { r => r with { Name = "" }, "study name '' must be" },
        { r => r with { Backbone = " " }, "--backbone must name a registered backbone" },
        { r => r with { Trials = 0 }, "--trials must be at least 1, got 0" },
        { r => r with { Parallel = -1 }, "--parallel must be at least 1, got -1" },
        { r => r with { Evaluations = -1 }, "--evaluations must be at least 0, got -1" },
        { r => r with { Confirm = -2 }, "--confirm must be at least 0, got -2" },
        { r => r with { Confirm = 1, ConfirmSeeds = 1 }, "--confirm-seeds must be at least 2, got 1" },
        { r => r with { KeepModels = 0 }, "--keep-models must be at least 1, got 0" },
        { r => r with { TrialTimeLimit = -5 }, "--trial-time-limit must be 0 (none) or a positive number of seconds, got -5" },
        { r => r with { TrialTimeLimit = double.PositiveInfinity }, "--trial-time-limit must be 0 (none)" },
        { r => r with { Recipe = r.Recipe! with { CheckpointEvery = -1 } }, "--checkpoint-every must be 0 (the silo's setting) or positive, got -1" },
        { r => r with { Recipe = null }, "the request has no training recipe" },
        { r => r with { Recipe = r.Recipe! with { Steps = 0 } }, "--steps must be at least 1, got 0" },
        { r => r with { Recipe = r.Recipe! with { LearningRate = -1 } }, "--lr must be positive, got -1" },
        { r => r with { Recipe = r.Recipe! with { Dtype = "fp16" } }, "--dtype: unknown weight dtype 'fp16'" },
        { r => r with { Sampler = "cmaes" }, "--sampler 'cmaes' is unknown; choose one of" },
        { r => r with { Pruner = "no-such" }, "--pruner: unknown pruner 'no-such'" },
        { r => r with { Metric = "loss" }, "--metric 'loss' is unknown; choose one of accuracy, nll" },
        { r => r with { Workload = "jax" }, "--workload: unknown workload 'jax'" },
        { r => r with { AnswerFormat = "json" }, "--answer: unknown answer format 'json'" },
        { r => r with { SpaceJson = "{" }, "invalid search space:" },
        { r => r with { SpaceJson = """{"params":[{"name":"objective","type":"categorical","choices":["power:1"]}]}""" }, "the space's 'objective' has no choice nll" },
        { r => r with { Enqueue = ["bottom-p:0.5"], SpaceJson = NamedSpaces.CreatePaperGrid().ToJson() }, "--enqueue: the space's 'objective' has no choice bottom-p:0.5" },
        { r => r with { SpaceJson = """{"params":[{"name":"family","type":"categorical","choices":["nll"]},{"name":"seed_of_luck","type":"int","low":0,"high":3}]}""" },
            "search space parameter 'seed_of_luck' is read by nothing: it names no objective (objective, family, k, q) and no training recipe field (objective, lr, steps" },
        { r => r with { SpaceJson = """{"params":[{"name":"family","type":"categorical","choices":["nll"]},{"name":"lr","type":"float","low":-1,"high":1}]}""" },
            "search space parameter 'lr' can take a value the training recipe refuses: --lr must be positive, got -1" },
        { r => r with { SpaceJson = """{"params":[{"name":"family","type":"categorical","choices":["nll"]},{"name":"steps","type":"float","low":10,"high":20}]}""" },
            "search space parameter 'steps' can take a value the training recipe refuses: recipe field steps cannot take that value" },
        { r => r with { SpaceJson = """{"params":[{"name":"family","type":"categorical","choices":["nll"]},{"name":"dtype","type":"categorical","choices":["float32","int8"]}]}""" },
            "search space parameter 'dtype' can take a value the training recipe refuses: --dtype: unknown weight dtype 'int8'" },
    };

    [Theory, MemberData(nameof(Bad))]
    public void A_bad_request_is_refused_with_the_problem_named(Func<StudyRequest, StudyRequest> spoil, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => StudyRequestValidator.CheckSettings(spoil(Good)));
        Assert.StartsWith(expected, e.Message);
        // The model is made through the same rules.
        Assert.Throws<ArgumentException>(() => new Driver(spoil(Good)));
    }

    [Fact]
    public void A_good_request_passes_and_gives_its_space()
    {
        Assert.Equal(["family", "k", "q", "lr"], StudyRequestValidator.CheckSettings(Good).Parameters.Select(p => p.Name));
    }

    [Theory]
    [InlineData("/runs/cipher/train.jsonl", "cipher/train")]
    [InlineData("train.parquet", "train")]
    public void A_data_set_is_named_by_its_folder_and_file(string path, string expected)
    {
        var name = StudyRequestValidator.DatasetName(path);
        Assert.EndsWith(expected, name);
    }
}
