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
// and flags, later ones winning. The study pages, /metrics, /healthz and the Orleans dashboard are
// served on localhost:DashboardPort (another address only with an access token: WebAccess).
// The content root is the program's folder, so its appsettings.json is found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddEnvironmentVariables("BNLL_");
builder.Configuration.AddCommandLine(SiloFlags.Normalize(args), SiloFlags.SwitchMappings);
var options = builder.Configuration.GetSection(ClusterSiloOptions.Section).Get<ClusterSiloOptions>() ?? new ClusterSiloOptions();

try
{
    builder.UseOrleans(silo =>
    {
        silo.UseBeyondNllClustering(options).AddBeyondNllCluster(options);
        if (options.DashboardPort > 0) silo.AddDashboard();
    });
    builder.AddStudyWeb(options); // the study pages, /metrics and /healthz beside the dashboard; where the port listens
}
catch (ArgumentException e)
{
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
await app.RunAsync();
return 0;
