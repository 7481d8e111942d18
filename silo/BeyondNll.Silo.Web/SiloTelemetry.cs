using BeyondNll.Grains;
using BeyondNll.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BeyondNll.Silo.Web;

/// <summary>
/// The silo's OpenTelemetry: metrics of the cluster's meter (<see cref="ClusterMetrics"/>), of
/// Orleans ("Microsoft.Orleans") and of the .NET runtime ("System.Runtime"), served for Prometheus
/// on /metrics; traces of studies and trials (<see cref="ClusterTracing"/>) under Orleans' grain-call
/// spans. With an OTLP endpoint set (<see cref="ClusterSiloOptions.OtlpEndpoint"/> or the standard
/// OTEL_EXPORTER_OTLP_ENDPOINT), metrics and traces also go there; without one, traces are not kept.
/// </summary>
public static class SiloTelemetry
{
    /// <summary>The service name the silo's telemetry carries.</summary>
    public const string ServiceName = "bnll-silo";

    /// <summary>Orleans' activity source of grain calls between application grains, the parent of the cluster's spans.</summary>
    public const string OrleansGrainCalls = "Microsoft.Orleans.Application";

    public static IServiceCollection AddSiloTelemetry(this IServiceCollection services, ClusterSiloOptions options)
    {
        var otlp = Otlp(options);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceInstanceId: $"{Environment.MachineName}:{options.SiloPort}"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ClusterMetrics.MeterName, "Microsoft.Orleans", "System.Runtime").AddPrometheusExporter();
                if (otlp is not null) metrics.AddOtlpExporter(o => o.Endpoint = otlp);
            });
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing.AddSource(ClusterTracing.SourceName, OrleansGrainCalls)
                .AddOtlpExporter(o => { o.Endpoint = otlp; o.Protocol = OtlpExportProtocol.Grpc; }));
        }
        return services;
    }

    /// <summary>The OTLP endpoint the settings name, if any.</summary>
    /// <exception cref="ArgumentException">One that is no absolute http(s) URL.</exception>
    public static Uri? Otlp(ClusterSiloOptions options)
    {
        var text = string.IsNullOrWhiteSpace(options.OtlpEndpoint) ? Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") : options.OtlpEndpoint;
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--otlp-endpoint '{text}' is not an http(s) URL such as http://collector:4317");
        return uri;
    }
}
