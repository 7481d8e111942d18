using Orleans.Runtime;
using Polly;
using Polly.Retry;

namespace BeyondNll.Client.Cluster;

/// <summary>
/// Retries the console's read-only calls when the cluster is between states: a silo that held a
/// study just went away and the grain is being reactivated elsewhere, or a call timed out.
/// Only queries are retried: starting a study twice would fail as a duplicate name.
/// </summary>
public static class ClusterRetry
{
    static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            MaxRetryAttempts = 4,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(250),
            UseJitter = true,
        })
        .Build();

    /// <summary>A fault that may pass by itself once the cluster has settled.</summary>
    public static bool IsTransient(Exception e) =>
        e is SiloUnavailableException or TimeoutException or OrleansMessageRejectionException;

    /// <summary>Runs a read-only call, retried on a transient fault. Cancelling stops the wait at once (Ctrl-C
    /// must not wait for a slow cluster to answer); the call itself may still finish in the cluster, harmlessly.</summary>
    public static async Task<T> Query<T>(Func<Task<T>> call, CancellationToken ct) =>
        await Pipeline.ExecuteAsync(async token => await call().WaitAsync(token), ct);
}
