using ChannelGrains.Api.Auth;
using ChannelGrains.Api.Dashboard;
using ChannelGrains.Api.Demo;
using ChannelGrains.Api.Schema;
using ChannelGrains.Api.Transport;
using ChannelGrains.Silo.Hosting;
using Orleans.Dashboard;

if (args is ["token", .. var tokenArgs])
{
    var tokenConfiguration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    return DevTokenCommand.Run(tokenArgs, tokenConfiguration);
}

var builder = WebApplication.CreateBuilder(DemoArguments.ToConfiguration(args));
var cluster = builder.Configuration.GetSection(ChannelClusterOptions.Section).Get<ChannelClusterOptions>() ?? new();
var durable = !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ChannelClusterOptions.ConnectionStringName));

if (cluster.IsClient)
{
    builder.UseOrleansClient(client => client.UseChannelClient(builder.Configuration).AddDashboard());
}
else
{
    builder.UseOrleans(silo => silo.UseChannelSilo(builder.Configuration, localhostClustering: true).AddDashboard());
}

builder.Services.AddChannelAuth(builder.Configuration, allowDevelopmentKey: !cluster.IsClient);
builder.Services.AddChannelSchema();
builder.Services.AddGraphQLTransports(builder.Configuration);
builder.AddChannelDemo(embedded: !cluster.IsClient);

var app = builder.Build();
app.UseDashboard();
app.UseAuthentication();
app.MapGet("/healthz", () => Results.Ok(new { status = "ok", mode = ModeName() }));
app.MapGraphQLTransports("/graphql");
app.MapOrleansDashboard("/orleans");

app.Lifetime.ApplicationStarted.Register(() =>
{
    var urls = string.Join(", ", app.Urls);
    app.Logger.LogInformation("ChannelGrains {Mode} at {Urls}: channel dashboard at /, GraphQL at /graphql, Orleans dashboard at /orleans", ModeName(), urls);
    if (!durable && !cluster.IsClient)
        app.Logger.LogWarning("NOTHING IS DURABLE: grain state lives in memory and is lost when this process stops. "
            + "Set ConnectionStrings__Channel to a PostgreSQL connection string for the durable mode.");
});

await app.RunAsync();
return 0;

string ModeName() => cluster.IsClient ? "cluster client" : durable ? "embedded, durable (PostgreSQL)" : "embedded, in memory";

/// <summary>Visible to the test host (WebApplicationFactory-style tests start this entry point).</summary>
public partial class Program;
