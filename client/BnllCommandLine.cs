using System.CommandLine;
using BeyondNll.Client.Commands;

namespace BeyondNll.Client;

/// <summary>
/// `bnll`'s whole command line: each subcommand lives in its own file under Commands/ and exposes a
/// static Create() that builds its System.CommandLine command. Built here once, for Program and for
/// the test that every command the docs show parses.
/// </summary>
public static class BnllCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("BeyondNll.Cluster: find the best fine-tuning objective for a language model.");
        root.Subcommands.Add(ObjectivesCommand.Create());
        root.Subcommands.Add(ObjectiveCommand.Create());
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(ProbeCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(QuickstartCommand.Create());
        root.Subcommands.Add(SamplerCommand.Create());
        // The cluster commands: they talk to a running silo (`dotnet run --project silo/BeyondNll.Silo`).
        root.Subcommands.Add(BackboneCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(BestCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        root.Subcommands.Add(ContinuumCommand.Create());
        root.Subcommands.Add(RecommendCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(FactorialCommand.Create());
        root.Subcommands.Add(DbCommand.Create());
        ClusterCommandLine.AddClusterId(root);
        return root;
    }
}
