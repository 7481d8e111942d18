namespace BeyondNll.Grains.Tests;

/// <summary>Every bad request is refused with a message naming the problem, and nothing is stored.</summary>
public class BadInputTests : IAsyncLifetime
{
    readonly TestData data = new();
    TestCluster cluster = null!;

    public async Task InitializeAsync()
    {
        cluster = await TestCluster.Start(data.ClusterData, "simulated:1");
        await cluster.Grains.GetGrain<IBackboneGrain>("micro").Register(data.Backbone);
    }

    public async Task DisposeAsync()
    {
        await cluster.DisposeAsync();
        data.Dispose();
    }

    async Task Refused(StudyRequest request, string expected)
    {
        var study = cluster.Grains.GetGrain<IStudyGrain>(request.Name);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => study.Start(request));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain(request.Name, await cluster.Grains.GetGrain<IStudyRegistryGrain>(0).List());
        await Assert.ThrowsAsync<ArgumentException>(() => study.GetStatus());
    }

    [Fact]
    public Task Unknown_backbone() => Refused(Studies.Request(data, "b1") with { Backbone = "nope" }, "no backbone named 'nope'");

    [Fact]
    public Task Missing_training_data() => Refused(Studies.Request(data, "b2") with { TrainPath = Path.Combine(data.Root, "missing.jsonl") }, "data file not found");

    [Fact]
    public async Task Malformed_data()
    {
        var bad = Path.Combine(data.Root, "bad.jsonl");
        await File.WriteAllTextAsync(bad, "{\"prompt\":\"1+1=\",\"response\":\"2\"}\n{\"prompt\": 3}\n");
        await Refused(Studies.Request(data, "b3") with { ValPath = bad }, "row 2");
    }

    [Fact]
    public Task Invalid_space() => Refused(Studies.Request(data, "b4") with
    {
        SpaceJson = """{"params":[{"name":"lr","type":"float","low":1,"high":0.5}]}""",
    }, "lr");

    [Fact]
    public Task A_space_that_cannot_express_the_nll_baseline() => Refused(Studies.Request(data, "b5") with
    {
        SpaceJson = """{"params":[{"name":"objective","type":"categorical","choices":["power:1","power:10"]}]}""",
    }, "nll");

    [Fact]
    public Task Zero_trials() => Refused(Studies.Request(data, "b6", trials: 0), "--trials must be at least 1, got 0");

    [Fact]
    public Task Unknown_sampler() => Refused(Studies.Request(data, "b7") with { Sampler = "cmaes" }, "--sampler 'cmaes' is unknown");

    [Fact]
    public Task Unknown_pruner() => Refused(Studies.Request(data, "b8") with { Pruner = "pbt" }, "--pruner: unknown pruner 'pbt'");

    [Fact]
    public Task Unknown_workload() => Refused(Studies.Request(data, "b9") with { Workload = "gpu" }, "--workload: unknown workload 'gpu'");

    [Fact]
    public Task Unknown_dtype() => Refused(Studies.Request(data, "t1").With(r => r with { Dtype = "float16" }), "--dtype: unknown weight dtype 'float16'");

    [Fact]
    public Task Negative_lora_rank() => Refused(Studies.Request(data, "t2").With(r => r with { LoraRank = -1 }), "--lora-rank must be 0 (no LoRA) or positive, got -1");

    [Fact]
    public Task Lora_alpha_of_zero() => Refused(Studies.Request(data, "t3").With(r => r with { LoraRank = 8, LoraAlpha = 0 }), "--lora-alpha must be positive, got 0");

    [Fact]
    public Task Unknown_lora_target() => Refused(Studies.Request(data, "t4").With(r => r with { LoraRank = 8, LoraTargets = "q_proj,qkv" }), "--lora-targets: unknown LoRA target module 'qkv'");

    [Fact]
    public Task Bad_name() => Refused(Studies.Request(data, "a|b"), "study name");

    [Fact]
    public async Task Duplicate_name()
    {
        var first = Studies.Request(data, "dup", "simulated:0.1", trials: 1, parallel: 1);
        await cluster.Grains.GetGrain<IStudyGrain>("dup").Start(first);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => cluster.Grains.GetGrain<IStudyGrain>("dup").Start(first with { Trials = 5 }));
        Assert.Contains("exists already", e.Message);
        Assert.Equal(1, (await cluster.Grains.GetGrain<IStudyGrain>("dup").GetStatus()).TrialBudget);
    }

    /// <summary>`bnll backbone add` of a copy cut short: refused at once (tensor and file named), not when a trial first loads it.</summary>
    [Fact]
    public async Task A_backbone_whose_weights_are_truncated_is_not_registered()
    {
        var copy = Path.Combine(data.Root, "truncated");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(data.Backbone)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var weights = Path.Combine(copy, "model.safetensors");
        using (var stream = File.OpenWrite(weights)) stream.SetLength(stream.Length / 2);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => cluster.Grains.GetGrain<IBackboneGrain>("truncated").Register(copy));
        Assert.StartsWith($"{weights}: tensor '", e.Message);
        Assert.Contains("the file is truncated", e.Message);
        Assert.Null(await cluster.Grains.GetGrain<IBackboneGrain>("truncated").Get());
    }

    [Fact]
    public async Task A_folder_that_is_no_backbone_is_not_registered()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => cluster.Grains.GetGrain<IBackboneGrain>("empty").Register(data.Root));
        Assert.Contains("config.json is missing", e.Message);
        Assert.Null(await cluster.Grains.GetGrain<IBackboneGrain>("empty").Get());
        Assert.DoesNotContain("empty", await cluster.Grains.GetGrain<IBackboneRegistryGrain>(0).List());
    }
}
