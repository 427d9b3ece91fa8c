using ChannelGrains.Analytics;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Analytics;

/// <summary>
/// A silo's contribution buffer, which grains hand their contributions to without a grain call: it flushes the first
/// contribution after a quiet spell at once, holds later ones for the flush interval, and flushes what it holds when its
/// silo stops. A cluster of its own, with an interval of an hour, since the test stops one of its silos.
/// </summary>
public sealed class ContributionBufferTests : IAsyncLifetime
{
    private const string Month = "2026-11", Region = "CN/East/Shanghai";
    private TestCluster cluster = null!;

    public async Task InitializeAsync() =>
        cluster = await OwnCluster<ShortRemindersSilo>.StartAsync(silos: 2, ("Analytics:BufferFlushInterval", "01:00:00"));

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task What_a_stopping_silo_holds_is_flushed_to_the_shards_as_it_stops()
    {
        var sources = new Synthetic(TestTenant.New(), seed: Environment.TickCount);
        var silo = Assert.IsType<InProcessSiloHandle>(cluster.SecondarySilos[0]);
        var buffer = silo.SiloHost.Services.GetRequiredService<ContributionBuffer>();

        buffer.Accept([sources.Record(sources.Contribution("dealer:B1", Region, Month, DealerTier.Value))]);
        await sources.AssertEventuallyExactAsync(cluster.Client);

        // Within the hour after a flush: held, not sent.
        var held = sources.Record(sources.Contribution("dealer:B2", Region, Month, DealerTier.Value));
        buffer.Accept([held]);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var shard = cluster.Client.GetGrain<ISourceShardGrain>(AnalyticsKeys.ShardOf(held));
        Assert.DoesNotContain(await shard.GetSellersAsync(Region), s => s.DealerId == "B2");

        await cluster.StopSiloAsync(silo);

        await sources.AssertEventuallyExactAsync(cluster.Client);
    }
}
