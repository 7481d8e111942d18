using Microsoft.Extensions.Hosting;

// The silo host. With no settings it is a single localhost silo; the cluster issue adds the
// grains, storage and devices.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.UseLocalhostClustering());
await builder.Build().RunAsync();
