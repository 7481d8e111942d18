using BeyondNll.Silo.Hosting;
using BeyondNll.Silo.Hosting.Postgres;
using BeyondNll.Silo.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Dashboard;

// The silo host: `dotnet run --project silo/BeyondNll.Silo [-- --devices cpu:2 --silo-port 11112 ...]`.
// Settings come from appsettings.json (section "Silo"), environment variables (BNLL_Silo__Devices)
// and flags (SiloFlags), later ones winning. Everything that can be checked before the silo listens
// is checked first (SiloPreflight): a setting that cannot work is one line and exit code 2.
// The study pages, /metrics, /healthz and the Orleans dashboard are served on localhost:DashboardPort
// (another address only with an access token: WebAccess).

var (flags, exit) = SiloFlags.Read(args);
if (exit is { } done) return done;

// The content root is the program's folder, so its appsettings.json is found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddEnvironmentVariables("BNLL_");
builder.Configuration.AddInMemoryCollection(flags);

ClusterSiloOptions options;
try
{
    options = builder.Configuration.GetSection(ClusterSiloOptions.Section).Get<ClusterSiloOptions>() ?? new ClusterSiloOptions();
    SiloPreflight.Check(options);
    builder.UseOrleans(silo =>
    {
        silo.UseBeyondNllClustering(options).AddBeyondNllCluster(options);
        if (options.DashboardPort > 0) silo.AddDashboard();
    });
    builder.AddStudyWeb(options); // the study pages, /metrics and /healthz beside the dashboard; where the port listens
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException)
{
    // InvalidOperationException: a setting from appsettings.json or the environment of the wrong type.
    await Console.Error.WriteLineAsync($"silo: {e.Message}");
    return 2;
}

// A PostgreSQL cluster's schema is made or brought up to date before Orleans reads its queries;
// a server that cannot be reached is a setting to fix, not a crash.
if (options.Clustering.Trim().Equals("postgres", StringComparison.OrdinalIgnoreCase))
{
    try
    {
        await PostgresSchema.ApplyAsync(options.Connection!);
    }
    catch (PostgresUnavailableException e)
    {
        await Console.Error.WriteLineAsync($"silo: cannot use {e.Message}");
        return 2;
    }
}

var app = builder.Build();
if (options.DashboardPort > 0) app.MapStudyWeb().MapOrleansDashboard(routePrefix: "/dashboard"); // the study pages' access check covers the dashboard too
SiloAnnouncements.Register(app, options);
try
{
    await app.RunAsync();
}
catch (Exception e) when (e is IOException or OrleansException or TimeoutException)
{
    // What the checks could not foresee (a port taken a moment after the check, a server gone): one
    // line here, the details in the log above.
    await Console.Error.WriteLineAsync($"silo: could not start: {e.Message}");
    return 1;
}
return 0;
