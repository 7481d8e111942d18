using Polly;
using Polly.Retry;

namespace BeyondNll.Grains;

/// <summary>Retries with exponential backoff (250 ms doubling up to 8 s, with jitter) for faults that pass by themselves.</summary>
public static class Backoff
{
    /// <summary>Six retries wait about 16 s in all, seven about 24 s.</summary>
    public static ResiliencePipeline Retry(int retries, Func<Exception, bool> transient) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = retries,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(8),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(transient),
        })
        .Build();
}
