using BeyondNll.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

// The silo host: `dotnet run --project silo/BeyondNll.Silo [-- --devices cpu:2 --silo-port 11112 ...]`.
// Settings come from appsettings.json (section "Silo"), environment variables (BNLL_Silo__Devices)
// and flags, later ones winning.
// The content root is the program's folder, so its appsettings.json is found whatever the working directory.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddEnvironmentVariables("BNLL_");
builder.Configuration.AddCommandLine(args, SiloFlags.SwitchMappings);
var options = builder.Configuration.GetSection(ClusterSiloOptions.Section).Get<ClusterSiloOptions>() ?? new ClusterSiloOptions();

builder.UseOrleans(silo => silo
    .UseBeyondNllLocalhostClustering(options)
    .AddBeyondNllCluster(options));
await builder.Build().RunAsync();
