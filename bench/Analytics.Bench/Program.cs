// Events per second into the national aggregate's inputs, with 1 and with 2 in-process silos.
//
//   dotnet run -c Release --project bench/Analytics.Bench [-- sources updatesPerSource]
//   dotnet run -c Release --project bench/Analytics.Bench -- freshness [eventsPerSecond] [seconds]
//   dotnet run -c Release --project bench/Analytics.Bench -- rollup [updates]   (one aggregate's arithmetic, no grains)
//
// Each synthetic dealer is a grain that publishes its current contribution after every "change", as DealerGrain
// does: a method call on its silo's buffer. The clock stops when the national aggregate (CN, 2026-11) shows the final
// sell-out of every dealer, so the figure is end to end: buffer, shards, region aggregates, rolled up to the root.
using System.Diagnostics;
using ChannelGrains;
using ChannelGrains.Analytics;
using ChannelGrains.Analytics.Bench;
using ChannelGrains.Common;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

Console.WriteLine($"dotnet run -c Release --project bench/Analytics.Bench -- {string.Join(' ', args)}");
if (args is ["rollup", ..])
{
    RollupPushes.Run([500, 5_000, 20_000], args.Length > 1 ? int.Parse(args[1]) : 20_000);
    return;
}
if (args is ["freshness", ..])
{
    var freshCluster = new TestClusterBuilder(2).AddSiloBuilderConfigurator<SiloConfigurator>().AddClientBuilderConfigurator<ClientConfigurator>().Build();
    await freshCluster.DeployAsync();
    await Freshness.RunAsync(freshCluster, args.Length > 1 ? int.Parse(args[1]) : 1_000, TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2]) : 20));
    await freshCluster.StopAllSilosAsync();
    await freshCluster.DisposeAsync();
    return;
}

var sources = args.Length > 0 ? int.Parse(args[0]) : 5_000;
var updates = args.Length > 1 ? int.Parse(args[1]) : 40;
Console.WriteLine($"{sources} dealers x {updates} updates = {sources * updates:N0} contributions; {Environment.ProcessorCount} cores");

foreach (var silos in new[] { 1, 2 })
{
    var cluster = new TestClusterBuilder((short)silos).AddSiloBuilderConfigurator<SiloConfigurator>().Build();
    await cluster.DeployAsync();
    try
    {
        // Warm up the JIT and activate the grains first: one process runs both cluster sizes, in turn.
        await RunAsync(cluster, silos, "warmup", Math.Min(sources, 2_000), 10);
        for (var run = 1; run <= 3; run++) await RunAsync(cluster, silos, $"run{run}", sources, updates);
    }
    finally
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }
}

static async Task RunAsync(TestCluster cluster, int silos, string tenant, int sources, int updates)
{
    var regions = BenchSourceGrain.Regions;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, sources).Select(i =>
        cluster.Client.GetGrain<IBenchSourceGrain>(i).RunAsync(tenant, regions[i % regions.Length], updates)));
    var published = clock.Elapsed;
    var expected = Enumerable.Range(0, sources).Sum(i => BenchSourceGrain.SellOut(i, updates));
    var root = cluster.Client.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(tenant, Period.Parse(BenchSourceGrain.Month), "CN"));
    while ((await root.GetSummaryAsync()).Figures.SellOutValue != expected)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("The national aggregate did not converge.");
        await Task.Delay(5);
    }
    var total = clock.Elapsed;
    var events = (long)sources * updates;
    if (tenant != "warmup")
        Console.WriteLine($"{silos} silo(s), {tenant}: published {events:N0} in {published.TotalSeconds:F2} s ({events / published.TotalSeconds:N0}/s); " +
            $"national aggregate exact after {total.TotalSeconds:F2} s: {events / total.TotalSeconds:N0} events/s end to end");
}

internal sealed class ClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder client) => client.AddMemoryStreams(StreamNames.Provider);
}

internal sealed class SiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder silo) => silo
        .ConfigureServices(services => services.AddChannelGrainServices(configuration: null))
        .AddMemoryGrainStorage(StorageNames.Channel)
        .AddMemoryGrainStorage("PubSubStore")
        .AddMemoryStreams(StreamNames.Provider)
        .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
}
