using ChannelGrains.Silo.Hosting;
using ChannelGrains.Silo.Storage;
using Orleans.Dashboard;

// A silo of a cluster: joins the others through the PostgreSQL membership table. Ports come from configuration
// (Orleans:SiloPort, Orleans:GatewayPort, --urls for health and the dashboard), so several run on one machine.
var builder = WebApplication.CreateBuilder(args);
var connectionString = builder.Configuration.GetConnectionString(ChannelClusterOptions.ConnectionStringName);
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("A cluster silo needs ConnectionStrings__Channel: the PostgreSQL database that holds membership, state and reminders.");
    return 2;
}

if (args is ["migrate", ..])
{
    await new SchemaMigrator(connectionString).MigrateAsync();
    Console.WriteLine("Schema is up to date.");
    return 0;
}

builder.UseOrleans(silo => silo.UseChannelSilo(builder.Configuration, localhostClustering: false).AddDashboard());
var app = builder.Build();
app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
app.MapOrleansDashboard("/orleans");
await app.RunAsync();
return 0;
