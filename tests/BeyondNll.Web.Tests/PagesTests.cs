using System.Net;
using BeyondNll.Client.Commands;
using BeyondNll.Grains;

namespace BeyondNll.Web.Tests;

/// <summary>The routes of the study pages, read over HTTP as a script or a browser reads them.</summary>
[Collection(WebSiloCollection.Name)]
public sealed class PagesTests(WebSilo silo)
{
    [Fact]
    public async Task Pages_show_the_studies_a_study_its_figures_the_backbone_and_the_continuum()
    {
        await silo.StartStudy("pages", seconds: 0.2, trials: 5);
        var status = await silo.WaitUntilFinished("pages", TimeSpan.FromMinutes(2));
        Assert.Equal(StudyState.Completed, status.State);
        using var http = silo.Http();

        var list = await http.GetStringAsync("/studies");
        Assert.Contains("href=\"/studies/pages\"", list);

        var page = await http.GetStringAsync("/studies/pages");
        foreach (var t in status.Trials)
            Assert.Contains($"data-trial=\"{t.Number}\" data-state=\"{t.State.ToString().ToLowerInvariant()}\"", page);
        Assert.Contains("data-events=\"/studies/pages/events\"", page);
        var attempt = status.Trials[0].Attempts[0];
        Assert.Contains(WebUtility.HtmlEncode($"{attempt.Silo} / {attempt.Device}: {attempt.Outcome}"), page); // where it ran
        foreach (var figure in new[] { "history", "curves", "parallel", "importance" })
        {
            Assert.Contains($"data-figure=\"/studies/pages/figures/{figure}.svg\"", page);
            var svg = await http.GetAsync($"/studies/pages/figures/{figure}.svg");
            Assert.Equal(HttpStatusCode.OK, svg.StatusCode);
            Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType?.MediaType);
            Assert.Equal("svg", SvgRoot(await svg.Content.ReadAsStringAsync()));
        }
        // The importance on the page is the one of `search status --json`.
        var importance = SearchStatusView.ToJson(status).Importance;
        Assert.NotEmpty(importance);
        Assert.All(importance.Keys, name => Assert.Contains($"{name} ", page));

        var backbone = await http.GetStringAsync($"/backbones/{WebSilo.Backbone}");
        Assert.Contains("best objective per data set", backbone);
        // A simulated study is a dry run: it never enters the backbone's results or the continuum (issue 14).
        Assert.DoesNotContain("href=\"/studies/pages\"", backbone);
        Assert.DoesNotContain("href=\"/studies/pages\"", await http.GetStringAsync("/continuum"));
        Assert.Equal("svg", SvgRoot(await http.GetStringAsync("/continuum/map.svg")));
    }

    [Fact]
    public async Task Names_that_are_not_there_are_404_pages_saying_so()
    {
        using var http = silo.Http();
        foreach (var (path, says) in new[]
        {
            ("/studies/no-such-study", "no study named 'no-such-study'"),
            ("/studies/no-such-study/figures/history.svg", "no study named"),
            ("/studies/..%2Fetc", "no study named"),
            ("/backbones/no-such-backbone", "no backbone named 'no-such-backbone'"),
            ("/continuum/nothing.svg", "no continuum figure 'nothing'"),
        })
        {
            var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains(says, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        }
        await silo.StartStudy("figure-names", seconds: 0, trials: 2);
        var unknown = await http.GetAsync("/studies/figure-names/figures/pie.svg");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("the figures are history, curves, parallel, importance", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_live_stream_sends_the_trials_and_ends_once_the_study_has()
    {
        await silo.StartStudy("stream", seconds: 0, trials: 2);
        await silo.WaitUntilFinished("stream", TimeSpan.FromMinutes(1));
        using var http = silo.Http();
        using var response = await http.GetAsync("/studies/stream/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        // A finished study: one update, then the end, then the server closes the stream.
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("event: update\ndata: {\"html\":{\"summary\":", text);
        Assert.Contains("data-trial=\\u00220\\u0022", text);
        Assert.EndsWith("event: end\ndata: {}\n\n", text);
    }

    [Fact]
    public async Task Search_plot_writes_the_four_figures_of_a_study_as_png()
    {
        await silo.StartStudy("plotted", seconds: 0, trials: 4);
        await silo.WaitUntilFinished("plotted", TimeSpan.FromMinutes(1));
        var folder = Path.Combine(Path.GetTempPath(), "bnll-plot-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var output = new StringWriter();
            Assert.Equal(0, await SearchPlotCommand.RunAsync(silo.Grains, "plotted", folder, json: false, output, CancellationToken.None));
            foreach (var name in new[] { "history", "curves", "parallel", "importance" })
            {
                var png = Path.Combine(folder, name + ".png");
                Assert.Contains($"wrote {png}", output.ToString());
                var bytes = await File.ReadAllBytesAsync(png);
                Assert.Equal([0x89, 0x50, 0x4E, 0x47], bytes.Take(4)); // a PNG
                Assert.Equal(900, ReadBigEndian(bytes, 16)); // IHDR width and height
                Assert.Equal(600, ReadBigEndian(bytes, 20));
            }
            await Assert.ThrowsAsync<ArgumentException>(() => SearchPlotCommand.RunAsync(silo.Grains, "no-such", folder, false, output, CancellationToken.None));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The root element's name of an XML document: a whole SVG figure, not a fragment or an error page.</summary>
    static string SvgRoot(string xml) => System.Xml.Linq.XDocument.Parse(xml).Root!.Name.LocalName;

    static int ReadBigEndian(byte[] bytes, int at) => bytes[at] << 24 | bytes[at + 1] << 16 | bytes[at + 2] << 8 | bytes[at + 3];
}
