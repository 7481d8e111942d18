using System.CommandLine;
using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll backbone add NAME --path DIR</c> and <c>bnll backbone list</c>: the backbones the cluster
/// knows by name, so that studies and results refer to a name rather than to a folder.
/// </summary>
public static class BackboneCommand
{
    public sealed record BackboneJson(string Name, string Path, long Parameters, string Tokenizer, DateTimeOffset Added);

    public sealed record ListJson(IReadOnlyList<BackboneJson> Backbones);

    public static Command Create()
    {
        var command = new Command("backbone", "Register backbones with the cluster and list them.");
        command.Subcommands.Add(CreateAdd());
        command.Subcommands.Add(CreateList());
        return command;
    }

    static Command CreateAdd()
    {
        var name = new Argument<string>("NAME") { Description = "The name studies will use for it." };
        var path = new Option<string>("--path") { Description = "The backbone folder (config.json, weights, tokenizer).", Required = true };
        return ClusterCommandLine.Create("add", "Register a backbone folder under a name (the silos check the folder).", [name, path],
            (parse, grains, _) => AddAsync(grains, parse.GetValue(name)!, parse.GetValue(path)!, Console.Out));
    }

    static Command CreateList()
    {
        var json = ClusterCommandLine.Json();
        return ClusterCommandLine.Create("list", "List the registered backbones.", [json],
            (parse, grains, ct) => ListAsync(grains, parse.GetValue(json), Console.Out, ct));
    }

    /// <summary>Registers the folder by its absolute path, which is what the silos will open.</summary>
    /// <exception cref="ArgumentException">The grain found no backbone in the folder.</exception>
    public static async Task<int> AddAsync(IGrainFactory grains, string name, string path, TextWriter output)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("a backbone needs a name");
        var view = await grains.GetGrain<IBackboneGrain>(name).Register(Path.GetFullPath(path));
        output.WriteLine($"registered backbone {view.Name}: {view.Path} ({view.Parameters:N0} parameters, tokenizer {view.Tokenizer})");
        return 0;
    }

    public static async Task<int> ListAsync(IGrainFactory grains, bool json, TextWriter output, CancellationToken ct)
    {
        var names = await ClusterRetry.Query(() => grains.GetGrain<IBackboneRegistryGrain>(0).List(), ct);
        var views = await Task.WhenAll(names.Order(StringComparer.Ordinal)
            .Select(n => ClusterRetry.Query(() => grains.GetGrain<IBackboneGrain>(n).Get(), ct)));
        var backbones = views.OfType<BackboneView>()
            .Select(b => new BackboneJson(b.Name, b.Path, b.Parameters, b.Tokenizer, b.Added)).ToList();
        if (json)
        {
            JsonOutput.Write(output, new ListJson(backbones));
            return 0;
        }
        if (backbones.Count == 0)
        {
            output.WriteLine("no backbones registered; add one with `bnll backbone add NAME --path DIR`");
            return 0;
        }
        var table = TableLayout.For(new Table().AddColumns("name", "parameters", "tokenizer", "added", "path"), output);
        foreach (var b in backbones)
            table.AddRow(Markup.Escape(b.Name), $"{b.Parameters:N0}", Markup.Escape(b.Tokenizer), $"{b.Added:yyyy-MM-dd HH:mm}", Markup.Escape(b.Path));
        ClusterCommandLine.AnsiFor(output).Write(table);
        return 0;
    }
}
