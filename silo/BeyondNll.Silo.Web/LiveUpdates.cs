using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Orleans.Runtime;

namespace BeyondNll.Silo.Web;

/// <summary>What a live page shows now: elements' HTML by id, the version of its figures, and whether it will change again.</summary>
sealed record LiveView(IReadOnlyDictionary<string, string> Html, string? Figures, bool Final);

/// <summary>
/// Server-sent events for a live page: every period the page's view is rendered again, and sent as
/// an "update" event when it differs from the last one sent; an "end" event once it is final (a
/// finished study), after which the browser closes the stream. A render that fails (the cluster is
/// briefly unreachable) is tried again next period.
/// </summary>
static class LiveUpdates
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    public static async Task Stream(HttpContext context, Func<Task<LiveView>> render)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var stop = context.RequestAborted;
        string? last = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                LiveView? view = null;
                try
                {
                    view = await render();
                }
                catch (Exception e) when (e is TimeoutException or OrleansException)
                {
                    // Next period.
                }
                if (view is not null)
                {
                    var data = JsonSerializer.Serialize(new { html = view.Html, figures = view.Figures });
                    if (data != last) await Send(context, "update", data, stop);
                    last = data;
                    if (view.Final)
                    {
                        await Send(context, "end", "{}", stop);
                        return;
                    }
                }
                await Task.Delay(Period, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The browser left.
        }
    }

    static async Task Send(HttpContext context, string name, string data, CancellationToken stop)
    {
        await context.Response.WriteAsync($"event: {name}\ndata: {data}\n\n", stop);
        await context.Response.Body.FlushAsync(stop);
    }
}
