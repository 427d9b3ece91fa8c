using ChannelGrains.Analytics;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;
using Orleans.Storage;

namespace ChannelGrains.Tests.Analytics;

/// <summary>
/// A shard whose write meets a state another activation of it stored (a duplicate activation, or one that outlived its
/// silo) goes above the versions that one may have handed out, and pushes its regions again, so its parts win above.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ShardWriteConflictTests(ClusterFixture fixture)
{
    private const string Month = "2026-11", Region = "CN/East/Shanghai";

    [Fact]
    public async Task After_a_write_conflict_a_shards_parts_supersede_those_of_the_other_activation()
    {
        var sources = new Synthetic(TestTenant.New(), seed: Environment.TickCount);
        var first = sources.Record(sources.Contribution("dealer:W1", Region, Month, DealerTier.Value));
        await Synthetic.PublishAsync(fixture.Grains, [first]);
        await sources.AssertEventuallyExactAsync(fixture.Grains);

        // The other activation stored its state with its floor, and pushed a part of the region (empty here) with a
        // version just below that floor, which the aggregate now holds.
        var shard = fixture.Grains.GetGrain<ISourceShardGrain>(AnalyticsKeys.ShardOf(first));
        var stored = new GrainState<SourceShardState>();
        await fixture.ChannelStorage.ReadStateAsync("analytics-shard", shard.GetGrainId(), stored);
        Assert.True(stored.RecordExists);
        stored.State!.VersionFloor += 1L << 40;
        await fixture.ChannelStorage.WriteStateAsync("analytics-shard", shard.GetGrainId(), stored);
        var aggregate = fixture.Grains.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(sources.Tenant, Period.Parse(Month), Region));
        await aggregate.AcceptAsync(ChannelAggregateGrain.ShardInput(AnalyticsKeys.ShardIndex(first.SourceId)),
            new AggregatePart(stored.State.VersionFloor - 1, DateTime.UtcNow, ChannelTotals.Empty, []));

        // The next change's part is below what the aggregate holds; the write that follows it conflicts.
        await Synthetic.PublishAsync(fixture.Grains, [sources.Record(sources.Contribution("dealer:W1", Region, Month, DealerTier.Value))]);

        await sources.AssertEventuallyExactAsync(fixture.Grains, TimeSpan.FromSeconds(15));
    }
}
