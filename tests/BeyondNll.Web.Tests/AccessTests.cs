using System.Net;
using BeyondNll.Silo.Hosting;
using BeyondNll.Silo.Web;

namespace BeyondNll.Web.Tests;

/// <summary>Who reaches the dashboard port: localhost by default; another address only with an access token, which every page but /healthz asks for.</summary>
[Collection(WebSiloCollection.Name)]
public sealed class AccessTests(WebSilo silo)
{
    [Theory]
    [InlineData("/studies")]
    [InlineData("/studies/nothing")]
    [InlineData("/metrics")]
    [InlineData("/continuum")]
    [InlineData("/dashboard")]
    public async Task Without_the_token_every_page_but_healthz_is_refused(string path)
    {
        using var anonymous = silo.Http(withToken: false);
        var refused = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("access token", await refused.Content.ReadAsStringAsync());

        using var wrong = silo.Http(withToken: false);
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", WebSilo.Token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(path)).StatusCode);

        using var granted = silo.Http();
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await granted.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_browser_gives_the_token_once_and_keeps_it_in_a_cookie()
    {
        using var anonymous = silo.Http(withToken: false);
        var first = await anonymous.GetAsync($"/studies?token={WebSilo.Token}");
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/studies", first.Headers.Location?.ToString()); // the token leaves the address bar
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{WebAccess.CookieName}=", cookie);
        Assert.Contains("httponly", cookie.ToLowerInvariant());
        Assert.Contains("samesite=strict", cookie.ToLowerInvariant());

        var request = new HttpRequestMessage(HttpMethod.Get, "/studies");
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("0.0.0.0", null, "set an access token")]
    [InlineData("192.168.1.5", null, "set an access token")]
    [InlineData("::", null, "set an access token")]
    [InlineData("example.org", "0123456789abcdef", "is not an IP address or localhost")]
    [InlineData("localhost", "short", "at least 16 characters")]
    public void Another_address_than_localhost_needs_a_token_and_bad_settings_are_named(string address, string? token, string says)
    {
        var e = Assert.Throws<ArgumentException>(() => WebAccess.ListenUrl(new ClusterSiloOptions { DashboardAddress = address, DashboardToken = token }));
        Assert.Contains(says, e.Message);
    }

    [Theory]
    [InlineData("localhost", null, "http://localhost:8080")]
    [InlineData("127.0.0.1", null, "http://127.0.0.1:8080")]
    [InlineData("::1", null, "http://[::1]:8080")]
    [InlineData("0.0.0.0", "0123456789abcdef", "http://0.0.0.0:8080")]
    [InlineData("10.0.0.11", "0123456789abcdef", "http://10.0.0.11:8080")]
    public void The_port_listens_where_the_settings_say(string address, string? token, string url) =>
        Assert.Equal(url, WebAccess.ListenUrl(new ClusterSiloOptions { DashboardAddress = address, DashboardToken = token }));
}
