using BeyondNll.Client.Cluster;
using BeyondNll.Client.Commands;
using BeyondNll.Cluster.Tests;
using BeyondNll.Grains.Tests;

namespace BeyondNll.MultiHost.Tests;

/// <summary>
/// `bnll` against a real silo process, at the edges a newcomer meets: a silo started with its own
/// --cluster-id, Ctrl-C while watching a study, and tables written to a pipe.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class ConsoleEdgesTests : IDisposable
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    readonly TestData data = new();

    public void Dispose() => data.Dispose();

    /// <summary>bnll against these tests' silos, which a loaded machine may keep from answering within the default 5 s.</summary>
    static Task<(int Exit, string Stdout, string Stderr)> Bnll(string[] args, Dictionary<string, string>? environment = null) =>
        BnllProcess.Run(Patience, args, new Dictionary<string, string>(environment ?? []) { [ClusterConnection.ConnectTimeoutVariable] = "30" });

    [Fact]
    public async Task A_silo_with_its_own_cluster_id_is_reached_by_the_flag_or_the_variable()
    {
        using var silo = SiloProcess.StartLocal(data.ClusterData, ["--cluster-id", "lab", "--devices", "simulated:1"]);
        await silo.WaitForReadyLine(Patience);
        var gateway = $"localhost:{silo.GatewayPort}";

        var byFlag = await Bnll(["cluster", "--json", "--gateway", gateway, "--cluster-id", "lab"]);
        Assert.True(byFlag.Exit == 0, byFlag.Stderr);
        Assert.Contains($"127.0.0.1:{silo.SiloPort}@", byFlag.Stdout);
        var byVariable = await Bnll(["search", "list", "--json", "--gateway", gateway], new() { ["BNLL_CLUSTER_ID"] = "lab" });
        Assert.True(byVariable.Exit == 0, byVariable.Stderr);
        Assert.Equal("{\"studies\":[]}", byVariable.Stdout.Trim());

        var without = await BnllProcess.Run(Patience, ["cluster", "--gateway", gateway]); // refused: the default deadline is enough
        Assert.Equal(CommandLineExit.Unreachable, without.Exit);
        Assert.Contains($"error: the silo at {gateway} did not let this client in: it may belong to another cluster (this client's cluster id is 'bnll'", without.Stderr);
    }

    /// <summary>Waits for the silo's ready line and registers the micro backbone on it; its gateway.</summary>
    async Task<string> ReadyWithBackbone(SiloProcess silo)
    {
        await silo.WaitForReadyLine(Patience);
        var gateway = $"localhost:{silo.GatewayPort}";
        Assert.Equal(0, (await Bnll(["backbone", "add", "micro", "--path", data.Backbone, "--gateway", gateway])).Exit);
        return gateway;
    }

    /// <summary>
    /// `bnll export --format verl` of a winner the paper's trainer would not run as it is (here a recipe with a
    /// min_lr_ratio, which that trainer has no setting for) exits 2 with the reason, and prints no flags.
    /// </summary>
    [Fact]
    public async Task Exporting_a_winner_the_papers_trainer_cannot_run_exits_2_with_the_reason()
    {
        using var silo = SiloProcess.StartLocal(data.ClusterData, ["--devices", "simulated:2"]);
        var gateway = await ReadyWithBackbone(silo);
        var started = await Bnll(["search", "start", "decayed", "--backbone", "micro", "--train", data.Train, "--val", data.Val,
            "--workload", "simulated:0.2", "--trials", "3", "--confirm", "0", "--set", "min_lr_ratio=0.1", "--wait", "--gateway", gateway]);
        Assert.True(started.Exit == 0, started.Stderr);

        var (exit, stdout, stderr) = await Bnll(["export", "decayed", "--format", "verl", "--gateway", gateway]);
        Assert.Equal(CommandLineExit.BadInput, exit);
        Assert.Contains("error: study decayed's answer cannot be exported for verl: min_lr_ratio 0.1: the paper's trainer decays its cosine schedule to 0", stderr);
        Assert.DoesNotContain("trainer.objective_trans", stdout);
    }

    /// <summary>
    /// Ctrl-C while `search watch` or `search start --wait` follows a study stops the watching, not the
    /// study, and says so: how to follow it again and how to cancel it; exit code 130.
    /// </summary>
    [Fact]
    public async Task Ctrl_C_while_watching_says_the_study_runs_on_and_how_to_cancel_it()
    {
        using var silo = SiloProcess.StartLocal(data.ClusterData, ["--devices", "simulated:1"]);
        var gateway = await ReadyWithBackbone(silo);

        var watchers = new[]
        {
            (Study: "waited", Args: new[] { "search", "start", "waited", "--backbone", "micro", "--train", data.Train, "--val", data.Val,
                "--workload", "simulated:60", "--trials", "3", "--parallel", "1", "--wait", "--gateway", gateway }), // the NLL baseline at each of the ladder's 3 rates
            (Study: "waited", Args: new[] { "search", "watch", "waited", "--gateway", gateway }),
        };
        foreach (var (study, args) in watchers)
        {
            using var bnll = BnllProcess.Start(args);
            // Interrupt once it is following the study: its progress line is on stderr.
            var deadline = DateTime.UtcNow + Patience;
            while (!BnllProcess.ErrorSoFar(bnll).Contains($"{study}: running") && DateTime.UtcNow < deadline) await Task.Delay(200);
            BnllProcess.Interrupt(bnll);
            var (exit, _, stderr) = await BnllProcess.Finish(bnll, TimeSpan.FromSeconds(30));
            Assert.Equal(CommandLineExit.Interrupted, exit);
            Assert.Contains($"stopped watching: study {study} is still running in the cluster; `bnll search watch {study}` follows it again, " +
                $"`bnll search cancel {study}` stops it", stderr);
        }

        var (listExit, list, _) = await Bnll(["search", "list", "--json", "--gateway", gateway]);
        Assert.Equal(0, listExit);
        Assert.Contains("\"state\":\"running\"", list);

        // Written to a pipe, the status table is one line per trial with whole headers.
        var (statusExit, status, _) = await Bnll(["search", "status", "waited", "--gateway", gateway]);
        Assert.Equal(0, statusExit);
        var header = Assert.Single(status.Split('\n'), l => l.Contains("objective"));
        Assert.Contains("silo / device", header);
        Assert.Single(status.Split('\n'), l => l.StartsWith("0 ", StringComparison.Ordinal) && l.Contains($"127.0.0.1:{silo.SiloPort} / simulated:0"));
    }
}
