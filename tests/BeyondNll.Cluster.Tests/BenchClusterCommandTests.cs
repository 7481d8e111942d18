using System.Text.Json;
using BeyondNll.Client.Commands;

namespace BeyondNll.Cluster.Tests;

/// <summary>
/// `bnll bench cluster`: bad input is refused before anything starts (exit 2, a message naming the
/// flag), and a small real run (a silo process on a throw-away Redis) answers with sane JSON.
/// Runs the console as users do, a process of its own; needs redis-server (.ci/run installs it).
/// </summary>
public class BenchClusterCommandTests
{
    static Task<(int Exit, string Out, string Err)> RunBnll(params string[] args) => BnllProcess.Run(TimeSpan.FromMinutes(3), args);

    static ArgumentException Refused(int silos = 1, int devices = 2, int trials = 6, string workload = "simulated:0.2",
        string sampler = "tpe", string clustering = "redis") =>
        Assert.Throws<ArgumentException>(() => BenchClusterCommand.Check(silos, devices, trials, workload, sampler, clustering,
            typeof(BenchClusterCommandTests).Assembly.Location, seed: 0));

    [Fact]
    public void Each_bad_value_is_named_in_the_message()
    {
        Assert.Contains("--silos", Refused(silos: 0).Message);
        Assert.Contains("--silos", Refused(silos: 65).Message);
        Assert.Contains("--devices-per-silo", Refused(devices: 0).Message);
        Assert.Contains("--trials", Refused(trials: 0).Message);
        Assert.Contains("--workload must be simulated:SECONDS", Refused(workload: "torch").Message);
        Assert.Contains("--workload", Refused(workload: "simulated:-1").Message);
        Assert.Contains("--workload", Refused(workload: "simulated:soon").Message);
        Assert.Contains("--sampler", Refused(sampler: "grid").Message);
        Assert.Contains("--clustering", Refused(clustering: "postgres").Message);
        var missing = Assert.Throws<FileNotFoundException>(() =>
            BenchClusterCommand.Check(1, 2, 6, "simulated:1", "tpe", "localhost", "/nonexistent/BeyondNll.Silo.dll", 0));
        Assert.Contains("the silo host is not built at /nonexistent/BeyondNll.Silo.dll", missing.Message);
    }

    [Theory]
    [InlineData("error: --silos must be between 1 and 64, got 0", "--silos", "0")]
    [InlineData("error: --workload must be simulated:SECONDS", "--workload", "torch")]
    [InlineData("error: --anchor-script /nonexistent.py does not exist", "--anchor", "--anchor-script", "/nonexistent.py")]
    [InlineData("error: Cannot parse argument 'many' for option '--trials'", "--trials", "many")]
    public async Task Bad_input_exits_with_2_and_a_clear_message(string message, params string[] args)
    {
        var (exit, output, errors) = await RunBnll(["bench", "cluster", .. args]);
        Assert.Equal(CommandLineExit.BadInput, exit);
        Assert.StartsWith(message, errors);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task A_small_run_reports_every_field_with_sane_values()
    {
        var (exit, output, errors) = await RunBnll("bench", "cluster", "--silos", "1", "--devices-per-silo", "2",
            "--trials", "6", "--workload", "simulated:0.2", "--json");
        Assert.True(exit == 0, $"exit {exit}: {errors}");
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(["setup", "cluster", "anchor", "targets"], JsonLine.Names(json));

        var setup = json.GetProperty("setup");
        Assert.Equal(1, setup.GetProperty("silos").GetInt32());
        Assert.Equal(2, setup.GetProperty("devices").GetInt32());
        Assert.Equal(6, setup.GetProperty("trials").GetInt32());
        Assert.Equal("simulated:0.2", setup.GetProperty("workload").GetString());
        Assert.Equal("redis", setup.GetProperty("clustering").GetString());

        var cluster = json.GetProperty("cluster");
        Assert.Equal(6, cluster.GetProperty("completed").GetInt32());
        Assert.Equal(0, cluster.GetProperty("failed").GetInt32());
        var f = cluster.GetProperty("figures");
        Assert.Equal(6, f.GetProperty("trials").GetInt32());
        // Two devices, 0.2 s trials: at most 600 trials a minute; the span covers at least three trials back to back.
        var perMinute = f.GetProperty("trials_per_minute").GetDouble();
        Assert.InRange(perMinute, 1, 600);
        Assert.InRange(f.GetProperty("span_seconds").GetDouble(), 0.6, 120);
        Assert.Equal(6 / (f.GetProperty("span_seconds").GetDouble() / 60), perMinute, 6);
        Assert.InRange(f.GetProperty("idle_share").GetDouble(), 0, 1);
        // Six trials on two devices: at least four times a device fell free and ran the next trial.
        Assert.True(f.GetProperty("gaps").GetInt32() >= 4, f.ToString());
        var median = f.GetProperty("free_to_running_median_ms").GetDouble();
        Assert.InRange(median, 0, f.GetProperty("free_to_running_p99_ms").GetDouble());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("anchor").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("targets").GetProperty("trials_per_minute_ratio").ValueKind);
    }
}
