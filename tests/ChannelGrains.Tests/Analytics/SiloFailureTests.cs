using ChannelGrains.Analytics;
using ChannelGrains.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Analytics;

/// <summary>
/// Rule 17 when a silo dies: its buffered contributions, its shards' unsaved state and its aggregates are lost; the
/// sources re-publishing (the heal) and the aggregates re-reading their inputs restore the exact sums. A cluster of its
/// own, since the test kills one of its silos.
/// </summary>
public sealed class SiloFailureTests : IAsyncLifetime
{
    private readonly TestCluster cluster = new TestClusterBuilder(initialSilosCount: 2)
        .AddSiloBuilderConfigurator<SiloConfigurator>()
        .AddClientBuilderConfigurator<ClientConfigurator>()
        .Build();

    public Task InitializeAsync() => cluster.DeployAsync();

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_silo_killed_mid_burst_loses_nothing_once_the_sources_republish()
    {
        var sources = new Synthetic("killed", seed: Environment.TickCount);
        var burst = sources.Burst(sources: 200, updates: 3_000);
        var half = burst.Count / 2;
        await Synthetic.PublishAsync(cluster.Client, burst.Take(half).ToArray());

        // Killed with contributions still in its buffer (flushed every 100 ms) and shard state not yet written.
        await cluster.KillSiloAsync(cluster.SecondarySilos[0]);
        foreach (var chunk in burst.Skip(half).Chunk(50))
        {
            try
            {
                await ContributionPublisher.PublishAsync(cluster.Client, chunk);
            }
            catch (Exception)
            {
                // Lost with the silo, as a stream event would be: the heal below restores it.
            }
        }

        await HealAsync(sources);
        await sources.AssertEventuallyExactAsync(cluster.Client, TimeSpan.FromSeconds(60));
    }

    private async Task HealAsync(Synthetic sources)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await Synthetic.PublishAsync(cluster.Client, sources.Heal());
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // The cluster has not yet declared the silo dead; the sources' heal timer would simply fire again.
                await Task.Delay(200);
            }
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.Services.AddChannelGrainServices(configuration: null);
            silo.AddMemoryGrainStorage(StorageNames.Channel)
                .AddMemoryGrainStorage("PubSubStore")
                .AddMemoryStreams(StreamNames.Provider)
                .UseInMemoryReminderService();
            silo.Services.Configure<AnalyticsOptions>(options => options.ReconcileInterval = TimeSpan.FromSeconds(1));
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder client) => client.AddMemoryStreams(StreamNames.Provider);
    }
}
