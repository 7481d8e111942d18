using System.CommandLine;
using BeyondNll.Search.Protocol;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll sampler --stdio --space FILE</c>: the project's samplers without a cluster, as JSON
/// lines on stdin and stdout (see <see cref="SamplerProtocol"/>), so any training loop can use
/// them and benchmarks can drive them.
/// </summary>
public static class SamplerCommand
{
    public static Command Create()
    {
        var cmd = new Command("sampler", "Ask/tell a sampler over JSON lines on stdin/stdout (no cluster needed).");
        var stdio = new Option<bool>("--stdio") { Description = "Speak the JSON-lines protocol on stdin/stdout (required: the only mode)." };
        var space = new Option<string>("--space")
        {
            Description = SearchSpaceArgument.Description,
            Required = true,
        };
        var sampler = new Option<string>("--sampler") { Description = $"{string.Join(", ", SamplerFactory.Names)}.", DefaultValueFactory = _ => SamplerFactory.Default };
        var seed = new Option<long?>("--seed") { Description = "Seed: the same seed and inputs give the same answers. Default: random." };
        var direction = new Option<string>("--direction") { Description = "minimize or maximize.", DefaultValueFactory = _ => "minimize" };
        var liar = new Option<bool>("--constant-liar") { Description = "Account for running trials, so concurrent asks spread out (tpe: as the worst result; gp: as the value it expects there)." };
        var multivariate = new Option<bool>("--multivariate") { Description = "TPE: model parameters that exist together jointly." };
        foreach (var option in new Option[] { stdio, space, sampler, seed, direction, liar, multivariate })
            cmd.Options.Add(option);

        cmd.SetAction(async (parseResult, ct) =>
        {
            if (!parseResult.GetValue(stdio))
                throw new ArgumentException("bnll sampler needs --stdio (the JSON-lines protocol is its only mode)");
            var searchSpace = SearchSpaceArgument.Load(parseResult.GetValue(space)!);
            var instance = SamplerFactory.Create(parseResult.GetValue(sampler)!, searchSpace,
                StudyDirectionExtensions.Parse(parseResult.GetValue(direction)!),
                parseResult.GetValue(seed) ?? Random.Shared.NextInt64(),
                parseResult.GetValue(liar), parseResult.GetValue(multivariate));
            using var input = new StreamReader(Console.OpenStandardInput());
            await using var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
            await Task.Run(() => new SamplerProtocol(instance).Run(input, output), ct);
            return 0;
        });
        return cmd;
    }
}
