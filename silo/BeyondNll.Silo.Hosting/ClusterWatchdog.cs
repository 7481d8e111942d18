using BeyondNll.Grains;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BeyondNll.Silo.Hosting;

/// <summary>
/// On every silo, a timer that asks the study registry to tick every unfinished study. Grain timers
/// die with their silo; this one runs on all of them, so after a silo dies — or the whole cluster
/// restarts — the next tick reactivates each unfinished study on a live silo, and the study resumes.
/// </summary>
public sealed class ClusterWatchdog(IGrainFactory grains, ClusterSiloOptions options, ILogger<ClusterWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.WatchdogPeriod);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await grains.GetGrain<IStudyRegistryGrain>(0).TickAll();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug(e, "Watchdog tick failed; the next one retries");
            }
        }
    }
}
