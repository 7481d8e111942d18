using System.Collections.Concurrent;
using System.Text;
using BeyondNll.Grains;
using BeyondNll.Silo.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace BeyondNll.Web.Tests;

/// <summary>
/// `--otlp-endpoint`: a silo configured with a collector sends it the study's traces and the cluster's
/// metrics over OTLP/gRPC. The collector here is a stand-in that accepts gRPC calls on plain HTTP/2 (as
/// an OpenTelemetry collector's 4317 port does) and keeps each request's body: the protobuf carries
/// span, metric and service names as plain UTF-8, which is what the test looks for.
/// </summary>
public sealed class OtlpExportTests
{
    const string TraceExport = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    const string MetricsExport = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

    [Fact]
    public async Task A_silo_with_an_otlp_endpoint_sends_the_study_spans_and_the_cluster_metrics_to_the_collector()
    {
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var port = WebSilo.FreePort();
        await using var collector = await StartCollector(port, received);

        // The metrics' periodic export every second instead of every minute (the standard setting; no other silo here exports).
        Environment.SetEnvironmentVariable("OTEL_METRIC_EXPORT_INTERVAL", "1000");
        var silo = new WebSilo($"http://127.0.0.1:{port}");
        await silo.InitializeAsync();
        try
        {
            await silo.StartStudy("exported", seconds: 0.1, trials: 2);
            await silo.WaitUntilFinished("exported", TimeSpan.FromMinutes(1));

            string Text(string path) => string.Join('\n', received.Where(r => r.Path == path).Select(r => Encoding.UTF8.GetString(r.Body)));
            string[] spans = [ClusterTracing.StudyStart, ClusterTracing.TrialAttempt, "exported" /* the study's tag */, SiloTelemetry.ServiceName];
            string[] series = ["bnll.trials.running", "bnll.trial.duration", "bnll.devices.busy_share"];
            // Spans leave in batches every 5 s, metrics every second: wait for both while the silo runs.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(spans.All(Text(TraceExport).Contains) && series.All(Text(MetricsExport).Contains)) && DateTime.UtcNow < deadline)
                await Task.Delay(250);

            var traces = Text(TraceExport);
            foreach (var span in spans) Assert.Contains(span, traces);
            var metrics = Text(MetricsExport);
            foreach (var name in series) Assert.Contains(name, metrics);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OTEL_METRIC_EXPORT_INTERVAL", null);
            await silo.DisposeAsync();
        }
    }

    /// <summary>A stand-in OTLP/gRPC collector on <paramref name="port"/>: every call's body kept, an empty success answered.</summary>
    static async Task<WebApplication> StartCollector(int port, ConcurrentQueue<(string Path, byte[] Body)> received)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapPost("/{**call}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path.Value ?? "", body.ToArray()));
            // gRPC's answer: an uncompressed empty message (a 5-byte frame header) and status 0 in the trailers.
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[5]);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await app.StartAsync();
        return app;
    }
}
