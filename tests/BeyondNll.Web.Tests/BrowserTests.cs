using PuppeteerSharp;

namespace BeyondNll.Web.Tests;

/// <summary>
/// The pages as a person uses them: Debian's Chromium, headless, opens a running study's page with
/// the access token in the address, watches a trial change state without a reload, and visits the
/// other pages. A screenshot of each page is kept in the test's output folder (screenshots/).
/// </summary>
[Collection(WebSiloCollection.Name)]
public sealed class BrowserTests(WebSilo silo)
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Where the screenshots go: beside the test assembly, so CI keeps them with the test output.</summary>
    public static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task A_running_study_page_shows_a_trial_change_state_without_a_reload()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: `apt-get install chromium chromium-driver` (.ci/run does)");
        Directory.CreateDirectory(Screenshots);
        // Slow simulated trials one at a time, so that the page finds one running and sees it end.
        await silo.StartStudy("live", seconds: 6, trials: 3, parallel: 1);
        await silo.WaitFor("live", s => s.Trials.Any(t => t.State == BeyondNll.Grains.TrialRunState.Running), TimeSpan.FromSeconds(60));

        await using var browser = await Launch();
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1400, Height = 1100 });
        var navigations = 0;
        page.FrameNavigated += (_, e) => { if (e.Frame == page.MainFrame) navigations++; };

        // The token once in the address: the silo keeps it in a cookie and sends the page without it.
        var response = await page.GoToAsync($"{silo.Url}/studies/live?token={WebSilo.Token}");
        Assert.True(response.Ok, $"the study page answered {response.Status}");
        Assert.EndsWith("/studies/live", page.Url);
        var loaded = navigations;
        await page.EvaluateExpressionAsync("window.sameDocument = true");
        var running = await page.EvaluateExpressionAsync<int>(
            "Number(document.querySelector('.state[data-state=\"running\"]').dataset.trial)");
        await Shot(page, "study-running");

        // The trial's state cell changes in place: pushed by the server, no reload.
        await page.WaitForFunctionAsync(
            $"() => document.querySelector('.state[data-trial=\"{running}\"]').dataset.state !== 'running'",
            new WaitForFunctionOptions { Timeout = 60_000, PollingInterval = 200 });
        Assert.True(await page.EvaluateExpressionAsync<bool>("window.sameDocument === true"), "the page was reloaded");
        Assert.Equal(loaded, navigations);
        var state = await page.EvaluateExpressionAsync<string>($"document.querySelector('.state[data-trial=\"{running}\"]').dataset.state");
        Assert.Equal("completed", state);
        await Shot(page, "study-after-a-trial");

        await silo.WaitUntilFinished("live", TimeSpan.FromMinutes(2));
        await page.WaitForFunctionAsync("() => document.getElementById('study-state').textContent === 'completed'",
            new WaitForFunctionOptions { Timeout = 30_000, PollingInterval = 200 });
        await Shot(page, "study-completed");

        foreach (var (path, name) in new[] { ("/studies", "studies"), ($"/backbones/{WebSilo.Backbone}", "backbone"), ("/backbones", "backbones"), ("/continuum", "continuum") })
        {
            var visited = await page.GoToAsync(silo.Url + path);
            Assert.True(visited.Ok, $"{path} answered {visited.Status}");
            await Shot(page, name);
        }
        // A simulated study is a dry run: the continuum never lists it (issue 14).
        Assert.DoesNotContain("live", await page.EvaluateExpressionAsync<string>("document.getElementById('continuum-table')?.textContent ?? ''"));
    }

    [Fact]
    public async Task The_study_list_shows_a_new_study_and_its_end_without_a_reload()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: `apt-get install chromium chromium-driver` (.ci/run does)");
        Directory.CreateDirectory(Screenshots);
        await using var browser = await Launch();
        await using var page = await browser.NewPageAsync();
        var navigations = 0;
        page.FrameNavigated += (_, e) => { if (e.Frame == page.MainFrame) navigations++; };
        var response = await page.GoToAsync($"{silo.Url}/studies?token={WebSilo.Token}");
        Assert.True(response.Ok, $"the list answered {response.Status}");
        var loaded = navigations;
        await page.EvaluateExpressionAsync("window.sameDocument = true");

        // A study started after the page loaded appears in the list, and its state follows it to the end.
        await silo.StartStudy("listed", seconds: 1, trials: 2);
        const string row = "[...document.querySelectorAll('#studies tr')].find(r => r.textContent.includes('listed'))";
        await page.WaitForFunctionAsync($"() => {{ const r = {row}; return r && r.querySelector('.state-completed') !== null; }}",
            new WaitForFunctionOptions { Timeout = 60_000, PollingInterval = 200 });
        Assert.True(await page.EvaluateExpressionAsync<bool>("window.sameDocument === true"), "the page was reloaded");
        Assert.Equal(loaded, navigations);
        Assert.Contains("2/2", await page.EvaluateExpressionAsync<string>($"{row}.textContent")); // trials done of the budget
        await Shot(page, "studies-live");
    }

    static Task<IBrowser> Launch() => Puppeteer.LaunchAsync(new LaunchOptions
    {
        ExecutablePath = Chromium,
        Headless = true,
        // This machine's closed network refuses Chromium's background connections: none are made.
        Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"],
        UserDataDir = Directory.CreateTempSubdirectory("bnll-chromium-").FullName,
        Timeout = 60_000,
    });

    /// <summary>A full-page screenshot once every figure has loaded.</summary>
    static async Task Shot(IPage page, string name)
    {
        await page.WaitForFunctionAsync("() => [...document.images].every(i => i.complete)", new WaitForFunctionOptions { Timeout = 30_000 });
        await page.ScreenshotAsync(Path.Combine(Screenshots, name + ".png"), new ScreenshotOptions { FullPage = true });
    }
}
