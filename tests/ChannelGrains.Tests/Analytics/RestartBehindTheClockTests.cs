using ChannelGrains.Analytics;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;
using Orleans.Core.Internal;

namespace ChannelGrains.Tests.Analytics;

/// <summary>
/// A shard or an aggregate activated again on a wall clock behind the one it ran on (a silo whose clock is behind the
/// dead one's, or a clock stepped back) still passes each change on: the grains above take its versions as newer.
/// </summary>
[Collection(SteppedClockCluster.Name)]
public sealed class RestartBehindTheClockTests(SteppedClockCluster fixture)
{
    private const string Month = "2026-11", Region = "CN/East/Shanghai";
    private static readonly TimeSpan Behind = TimeSpan.FromSeconds(20);

    private readonly Synthetic sources = new(TestTenant.New(), seed: Environment.TickCount);

    private IGrainFactory Grains => fixture.Cluster.Client;

    [Fact]
    public async Task A_shard_activated_again_passes_a_change_on()
    {
        var first = await ChangeAsync();
        await RestartAsync(Grains.GetGrain<ISourceShardGrain>(AnalyticsKeys.ShardOf(first)));

        await SteppedClockCluster.SteppedBackAsync(Behind, ChangeAsync);
    }

    /// <summary>As when its silo dies: the shard handed a part out (to the aggregate reading it) and never wrote after.</summary>
    [Fact]
    public async Task A_shard_that_stopped_without_a_write_since_its_activation_passes_a_change_on()
    {
        await Grains.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(sources.Tenant, Period.Parse(Month), Region)).GetSummaryAsync();
        var shard = AnalyticsKeys.ShardOf(sources.Contribution("dealer:R1", Region, Month, DealerTier.Value));
        await RestartAsync(Grains.GetGrain<ISourceShardGrain>(shard));

        await SteppedClockCluster.SteppedBackAsync(Behind, ChangeAsync);
    }

    [Fact]
    public async Task An_aggregate_activated_again_passes_a_change_on_to_its_parent_and_its_quarter()
    {
        await ChangeAsync();
        await RestartAsync(Grains.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(sources.Tenant, Period.Parse(Month), Region)));

        await SteppedClockCluster.SteppedBackAsync(Behind, ChangeAsync);
    }

    /// <summary>A new contribution of one dealer, once every region and period shows it.</summary>
    private async Task<Contribution> ChangeAsync()
    {
        var contribution = sources.Record(sources.Contribution("dealer:R1", Region, Month, DealerTier.Value));
        await Synthetic.PublishAsync(Grains, [contribution]);
        await sources.AssertEventuallyExactAsync(Grains, TimeSpan.FromSeconds(10));
        return contribution;
    }

    private static async Task RestartAsync(IAddressable grain) => await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
}
