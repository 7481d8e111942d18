using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Training.Benchmarks;
using BeyondNll.Training.Model;
using BeyondNll.Training.Tests.HuggingFace;

namespace BeyondNll.Training.Tests.Benchmarks;

/// <summary>
/// bench/torch_anchor.py, the PyTorch side of bench/train_vs_torch.py, run with Debian's
/// python3-torch (.ci/run installs it). Its ratios mean something only while it trains the model
/// `bnll bench` trains and answers in the fields the comparison reads.
/// </summary>
public class TorchAnchorTests
{
    static readonly string Script = Path.Combine(HfReference.RepositoryRoot, "bench", "torch_anchor.py");

    static JsonElement Anchor(params string[] arguments)
    {
        var output = HfReference.Run("/usr/bin/python3", [Script, .. arguments], "Debian's python3-torch (apt-get install python3-torch)");
        using var document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    [Theory]
    [InlineData("tiny", 1_082_496)]
    [InlineData("small", 6_360_320)]
    public void The_anchor_model_has_the_bench_models_parameters_by_name_and_shape(string name, long count)
    {
        var anchor = Anchor("shapes", "--config", name);
        var config = BenchmarkConfig.Named(name);
        using var model = new DecoderLM(config.Model(config.Sequence));

        var ours = model.named_parameters().Select(p => $"{p.name} {string.Join('x', p.parameter.shape)}").Order().ToList();
        var theirs = anchor.GetProperty("parameters").EnumerateObject()
            .Select(p => $"{p.Name} {string.Join('x', p.Value.EnumerateArray().Select(d => d.GetInt64()))}").Order().ToList();
        Assert.Equal(ours, theirs);
        Assert.Equal(count, anchor.GetProperty("params").GetInt64());
        Assert.Equal(count, config.Model(config.Sequence).ParameterCount());
    }

    [Fact]
    public void Each_measurement_answers_in_bnll_bench_fields()
    {
        var train = Anchor("train", "--objective", "power:10", "--steps", "1", "--warmup", "0", "--threads", "1", "--json");
        var probe = Anchor("probe", "--batches", "1", "--threads", "1", "--json");
        var decode = Anchor("decode", "--batch", "2", "--prompt", "4", "--new", "3", "--repeats", "1", "--no-cache", "--threads", "1", "--json");

        AssertFieldsOf<TrainBenchmarkResult>(train);
        AssertFieldsOf<ProbeBenchmarkResult>(probe);
        AssertFieldsOf<DecodeBenchmarkResult>(decode);
        Assert.Equal("power:10", train.GetProperty("objective").GetString());
        Assert.Equal(1_082_496, train.GetProperty("params").GetInt64());
        Assert.True(train.GetProperty("tokens_per_second").GetDouble() > 0);
        Assert.True(probe.GetProperty("tokens_per_second").GetDouble() > 0);
        Assert.False(decode.GetProperty("kv_cache").GetBoolean());
        Assert.True(decode.GetProperty("new_tokens_per_second").GetDouble() > 0);
    }

    [Fact]
    public void An_unknown_objective_fails_naming_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Anchor("train", "--objective", "power:x", "--steps", "1", "--json"));
        Assert.Contains("unknown objective 'power:x'", error.Message);
    }

    // Every field the anchor prints, but its torch version, is one of bnll's, in bnll's JSON name.
    static void AssertFieldsOf<T>(JsonElement anchor)
    {
        var naming = JsonOutput.Options.PropertyNamingPolicy!;
        var bnll = typeof(T).GetProperties().Select(p => naming.ConvertName(p.Name)).ToHashSet();
        var printed = anchor.EnumerateObject().Select(p => p.Name).Where(n => n != "torch").ToList();
        Assert.DoesNotContain(printed, n => !bnll.Contains(n));
        Assert.Contains(printed, n => n.EndsWith("tokens_per_second", StringComparison.Ordinal));
    }
}
