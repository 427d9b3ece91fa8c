using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Analytics;

/// <summary>
/// Rule 17's heal for sources nobody touches: a dealer re-publishes its months when it activates, and the dealer
/// index wakes every dealer it lists on a reminder, so one whose contributions died with a silo does not stay stale.
/// </summary>
public sealed class HealSweepTests
{
    [Fact]
    public async Task Dealer_index_wakes_every_dealer_it_lists()
    {
        // Long enough that the index is written and checked before the first sweep (due after 0.5 to 1.5 intervals:
        // see Jitter), even on a loaded machine.
        await using var cluster = await ShortRemindersSilo.StartAsync(("Analytics:HealSweepInterval", "00:00:12"));
        var tenant = TestTenant.New();
        // Index entries of dealers whose grains are not active, as after a silo died with them.
        var dealers = Enumerable.Range(0, 20).Select(i => new DealerIndexEntry($"D{i}", "CN/East", DealerTier.Value)).ToArray();
        foreach (var bucket in dealers.GroupBy(d => DealerIndex.BucketKey(tenant, d.Id)))
            await cluster.Client.GetGrain<IDealerIndexGrain>(bucket.Key).PutAsync(bucket.ToArray());
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        Assert.Equal(0, await ActiveDealersAsync(management));

        await Eventually.TrueAsync(async () => await ActiveDealersAsync(management) >= dealers.Length, TimeSpan.FromSeconds(30),
            async () => $"{await ActiveDealersAsync(management)} of {dealers.Length} dealers active");
    }

    private static async Task<int> ActiveDealersAsync(IManagementGrain management) =>
        (await management.GetSimpleGrainStatistics()).Where(s => s.GrainType.Contains(nameof(DealerGrain), StringComparison.Ordinal)).Sum(s => s.ActivationCount);
}
