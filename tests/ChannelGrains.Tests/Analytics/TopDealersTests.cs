using ChannelGrains.Analytics;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Analytics;

/// <summary>
/// An aggregate's top dealers, read from its shards and kept while its version stays the same: never older than the
/// summary beside them, and exact within <see cref="ChannelAggregateGrain.TopDealersHeldAtMost"/> after the last event
/// even when a change leaves every total as it was.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TopDealersTests(ClusterFixture fixture)
{
    private const string Month = "2026-11";
    private readonly Synthetic sources = new(TestTenant.New(), seed: Environment.TickCount);

    private IChannelAggregateGrain National => fixture.Grains.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(sources.Tenant, Period.Parse(Month), "CN"));

    /// <summary>A dealer's month with only a sell-out value (no SKUs), so that two dealers can swap values and leave every total equal.</summary>
    private Contribution Dealer(string id, decimal sellOut) => sources.Record(new Contribution(sources.Tenant, Contribution.DealerSource(id), 0,
        "CN/East/Shanghai", DealerTier.Value, Month, new ChannelFigures { SellOutValue = sellOut }, []));

    private async Task<string[]> TopAsync(int first) => [.. (await National.GetTopDealersAsync(first)).Select(d => $"{d.DealerId}={d.SellOutValue}")];

    [Fact]
    public async Task Top_dealers_read_after_the_summary_shows_a_change_show_it_too()
    {
        await Synthetic.PublishAsync(fixture.Grains, [Dealer("A", 30m), Dealer("B", 20m), Dealer("C", 10m)]);
        await sources.AssertEventuallyExactAsync(fixture.Grains);
        Assert.Equal(["A=30", "B=20"], await TopAsync(2)); // now held at this version

        await Synthetic.PublishAsync(fixture.Grains, [Dealer("D", 100m)]);
        await Eventually.TrueAsync(async () => (await National.GetSummaryAsync()).Figures.SellOutValue == 160m, TimeSpan.FromSeconds(10),
            async () => $"national sell-out {(await National.GetSummaryAsync()).Figures.SellOutValue}");

        Assert.Equal(["D=100", "A=30"], await TopAsync(2));
    }

    [Fact]
    public async Task A_change_that_leaves_every_total_equal_shows_in_the_ranking_within_the_time_held()
    {
        // Two dealers of one shard, so that their swap reaches the shard in one flush and its totals never change.
        var ids = Enumerable.Range(0, 1000).Select(i => $"S{i}").GroupBy(id => AnalyticsKeys.ShardIndex(Contribution.DealerSource(id)))
            .First(g => g.Count() >= 2).Take(2).ToArray();
        await Synthetic.PublishAsync(fixture.Grains, [Dealer(ids[0], 30m), Dealer(ids[1], 20m)]);
        await sources.AssertEventuallyExactAsync(fixture.Grains);
        var before = await National.GetSummaryAsync();
        Assert.Equal([$"{ids[0]}=30", $"{ids[1]}=20"], await TopAsync(2));

        await Synthetic.PublishAsync(fixture.Grains, [Dealer(ids[0], 20m), Dealer(ids[1], 30m)]);

        var swapped = new[] { $"{ids[1]}=30", $"{ids[0]}=20" };
        await Eventually.TrueAsync(async () => (await TopAsync(2)).SequenceEqual(swapped), ChannelAggregateGrain.TopDealersHeldAtMost * 5,
            async () => $"top dealers {string.Join(", ", await TopAsync(2))}");
        Assert.Equal(before.Version, (await National.GetSummaryAsync()).Version); // the case asked for: no total changed
    }
}
