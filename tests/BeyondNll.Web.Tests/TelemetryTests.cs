using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using BeyondNll.Grains;
using BeyondNll.Silo.Web;

namespace BeyondNll.Web.Tests;

/// <summary>What a cluster operator scrapes and traces: /metrics in Prometheus text, /healthz, and the study and trial spans.</summary>
[Collection(WebSiloCollection.Name)]
public sealed class TelemetryTests(WebSilo silo)
{
    [Fact]
    public async Task Healthz_is_200_while_the_silo_is_active_and_needs_no_token()
    {
        using var http = silo.Http(withToken: false);
        var response = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("active\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_list_the_documented_series_after_a_study()
    {
        await silo.StartStudy("metered", seconds: 0.1, trials: 3);
        await silo.WaitUntilFinished("metered", TimeSpan.FromMinutes(1));
        using var http = silo.Http();
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "metrics.txt"), text); // kept with the test output, as the screenshots are
        // The series docs/watching.md documents, by their Prometheus names (each also carries otel_scope_name).
        foreach (var series in new[]
        {
            "# TYPE bnll_trials_running gauge", "# TYPE bnll_devices_busy_share gauge", "# TYPE bnll_trial_duration_seconds histogram",
        })
            Assert.Contains(series, text);
        Assert.Single(Samples(text, "bnll_trials_running"));
        var busy = Assert.Single(Samples(text, "bnll_devices_busy_share"));
        Assert.InRange(busy.Value, 0, 1);
        Assert.NotEmpty(Samples(text, "bnll_trial_duration_seconds_bucket", "outcome=\"completed\""));
        // Three trials completed on this silo, at least (other tests share it).
        var completed = Assert.Single(Samples(text, "bnll_trial_duration_seconds_count", "outcome=\"completed\""));
        Assert.True(completed.Value >= 3, completed.Line);
        Assert.Contains("orleans_", text); // Orleans' own meter
        Assert.Contains("dotnet_", text);  // the runtime's
    }

    [Fact]
    public async Task A_trial_attempt_span_joins_the_study_span_that_started_it_across_grains()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is ClusterTracing.SourceName or SiloTelemetry.OrleansGrainCalls,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await silo.StartStudy("traced", seconds: 0.1, trials: 3);
        await silo.WaitUntilFinished("traced", TimeSpan.FromMinutes(1));
        // The status interleaves with the study's turns, so it reads completed while the finishing turn
        // (its save, the registry call) may still be in flight: its span stops a little later, later still on a loaded machine.
        // So may the last trial's attempt span: the attempt ends after its outcome call to the study, the
        // call in which the study finishes.
        bool Seen(string operation, int count) =>
            spans.Count(s => s.OperationName == operation && Equals(s.GetTagItem(ClusterTracing.StudyTag), "traced")) >= count;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(Seen(ClusterTracing.StudyFinish, 1) && Seen(ClusterTracing.TrialAttempt, 3)) && DateTime.UtcNow < deadline)
            await Task.Delay(100);

        var mine = spans.Where(s => Equals(s.GetTagItem(ClusterTracing.StudyTag), "traced")).ToList();
        Assert.Single(mine, s => s.OperationName == ClusterTracing.StudyStart);
        Assert.Single(mine, s => s.OperationName == ClusterTracing.StudyFinish);
        var attempts = mine.Where(s => s.OperationName == ClusterTracing.TrialAttempt).ToList();
        Assert.Equal([0, 1, 2], attempts.Select(a => (int)a.GetTagItem(ClusterTracing.TrialTag)!).Order());
        foreach (var attempt in attempts)
        {
            Assert.Equal("completed", attempt.GetTagItem(ClusterTracing.OutcomeTag));
            Assert.Equal(2, attempt.Events.Count(e => e.Name == "intermediate"));
            // The study's span that started it is in the same trace, an ancestor through the grain call;
            // the study's handling of the outcome is in it too.
            var trial = attempt.GetTagItem(ClusterTracing.TrialTag);
            var start = mine.Single(s => s.OperationName == ClusterTracing.StudyStartAttempt && Equals(s.GetTagItem(ClusterTracing.TrialTag), trial));
            Assert.Equal(start.TraceId, attempt.TraceId);
            Assert.True(IsAncestor(start, attempt, spans), "the trial's span is not under the study's");
            var finished = mine.Single(s => s.OperationName == ClusterTracing.StudyTrialFinished && Equals(s.GetTagItem(ClusterTracing.TrialTag), trial));
            Assert.True(IsAncestor(attempt, finished, spans), "the study's handling of the outcome is not under the trial's span");
        }
    }

    /// <summary>The samples of a series (lines NAME{labels} VALUE) whose labels include <paramref name="label"/>.</summary>
    static List<(string Line, double Value)> Samples(string text, string name, string label = "") =>
        text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal))
            .Select(l => (l, double.Parse(l.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture))).ToList();

    /// <summary>Whether <paramref name="ancestor"/> is on <paramref name="span"/>'s chain of parents (through Orleans' grain-call spans).</summary>
    static bool IsAncestor(Activity ancestor, Activity span, IEnumerable<Activity> all)
    {
        var byId = all.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        for (var parent = span.ParentSpanId; parent != default; parent = byId.TryGetValue(parent, out var p) ? p.ParentSpanId : default)
            if (parent == ancestor.SpanId) return true;
        return false;
    }
}
