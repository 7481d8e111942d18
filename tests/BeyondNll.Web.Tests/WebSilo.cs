using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using BeyondNll.Client.Bench;
using BeyondNll.Grains;
using BeyondNll.Silo.Hosting;
using BeyondNll.Silo.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Dashboard;

namespace BeyondNll.Web.Tests;

/// <summary>
/// A silo host put together as the silo program does it (Orleans, the cluster's parts, the Orleans
/// dashboard, the study pages on the dashboard port with an access token), on free loopback ports,
/// with simulated devices, a registered micro backbone and data. Shared by the tests of a collection.
/// </summary>
public sealed class WebSilo : IAsyncLifetime
{
    public const string Token = "test-token-0123456789abcdef";
    public const string Backbone = "micro";

    readonly string folder = Path.Combine(Path.GetTempPath(), "bnll-web-tests", Guid.NewGuid().ToString("N")[..12]);
    readonly string? otlpEndpoint;
    WebApplication? app;

    public WebSilo() { }

    /// <summary>A silo that also sends its metrics and traces to an OpenTelemetry collector at <paramref name="otlpEndpoint"/>.</summary>
    internal WebSilo(string otlpEndpoint) => this.otlpEndpoint = otlpEndpoint; // internal: a collection fixture may have one public constructor

    public string Url { get; private set; } = "";
    public string Train { get; private set; } = "";
    public string Val { get; private set; } = "";
    public IGrainFactory Grains => app!.Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync()
    {
        var (backbone, train, val) = DryRunInputs.Write(folder);
        (Train, Val) = (train, val);
        var silo = FreePort();
        var options = new ClusterSiloOptions
        {
            DataDirectory = Path.Combine(folder, "cluster"), Devices = "simulated:2", SiloPort = silo, PrimarySiloPort = silo,
            GatewayPort = FreePort(), DashboardPort = FreePort(), DashboardToken = Token, WatchdogPeriod = TimeSpan.FromMilliseconds(500),
            OtlpEndpoint = otlpEndpoint,
        };
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.UseOrleans(s => s.UseBeyondNllClustering(options).AddBeyondNllCluster(options, cudaDeviceCount: () => 0).AddDashboard());
        builder.AddStudyWeb(options);
        app = builder.Build();
        app.MapStudyWeb().MapOrleansDashboard(routePrefix: "/dashboard");
        await app.StartAsync();
        Url = $"http://localhost:{options.DashboardPort}";
        await Grains.GetGrain<IBackboneGrain>(Backbone).Register(backbone);
    }

    /// <summary>An HTTP client of the pages; with the token unless <paramref name="withToken"/> is false.</summary>
    public HttpClient Http(bool withToken = true)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(Url) };
        if (withToken) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    /// <summary>Starts a study of simulated trials on the micro backbone.</summary>
    public Task<StudyStatus> StartStudy(string name, double seconds, int trials, int parallel = 2) =>
        Grains.GetGrain<IStudyGrain>(name).Start(new StudyRequest
        {
            Name = name, Backbone = Backbone, TrainPath = Train, ValPath = Val,
            SpaceJson = BeyondNll.Search.Spaces.NamedSpaces.CreateDefault().ToJson(),
            Trials = trials, Parallel = parallel, Evaluations = 2, Workload = $"simulated:{seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            Seed = 7, Recipe = new BeyondNll.Training.Trainer.TrainingRecipe { Steps = 20, MaxLength = 32, BatchSize = 8, LearningRate = 1e-4, Seed = 7 },
            LearningRates = [1e-4], // a one-rung ladder: the NLL baseline is one trial, so small budgets are allowed
        });

    public async Task<StudyStatus> WaitFor(string study, Func<StudyStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await Grains.GetGrain<IStudyGrain>(study).GetStatus();
            if (condition(status)) return status;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"study {study} is {status.State} after {timeout}: {string.Join(", ", status.Trials.Select(t => $"{t.Number}:{t.State}"))}");
            await Task.Delay(100);
        }
    }

    public Task<StudyStatus> WaitUntilFinished(string study, TimeSpan timeout) =>
        WaitFor(study, s => s.State is not (StudyState.Running or StudyState.Pending), timeout);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await app.StopAsync(stop.Token);
            await app.DisposeAsync();
        }
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class WebSiloCollection : ICollectionFixture<WebSilo>
{
    public const string Name = "web silo";
}
