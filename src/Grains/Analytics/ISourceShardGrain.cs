namespace ChannelGrains.Analytics;

/// <summary>
/// One of the <see cref="AnalyticsKeys.Shards"/> shards of a tenant's sources for one month (key <c>tenant/2026-11/s3</c>):
/// the newest contribution of each of its sources. After a change it pushes, to the aggregate of each region touched,
/// the sum of its sources in exactly that region, so a source that moved leaves its old region's sums.
/// </summary>
[Alias("ChannelGrains.Analytics.ISourceShardGrain")]
public interface ISourceShardGrain : IGrainWithStringKey
{
    [Alias("Accept")] Task AcceptAsync(IReadOnlyList<Contribution> contributions);

    /// <summary>This shard's part of <paramref name="region"/>: its sources in exactly that region, and the child regions it has sources below.</summary>
    [Alias("RegionPart")] Task<AggregatePart> GetRegionPartAsync(string region);

    /// <summary>The sell-out of this shard's dealers within <paramref name="region"/> (for top-dealer lists).</summary>
    [Alias("Sellers")] Task<IReadOnlyList<DealerSellOut>> GetSellersAsync(string region);

    /// <summary>
    /// The <paramref name="first"/> highest of <see cref="GetSellersAsync"/>, as <see cref="Rollup.TopSellers"/> ranks
    /// them. A dealer counts in one shard per month, so a month's top list is the top of its shards' top lists.
    /// </summary>
    [Alias("TopSellers")] Task<IReadOnlyList<DealerSellOut>> GetTopSellersAsync(string region, int first);

    /// <summary>The weekly sell-out of this shard's sources within <paramref name="region"/>, keyed <see cref="ChannelTotals.WeekKey"/> (for demand).</summary>
    [Alias("Weekly")] Task<Dictionary<string, long>> GetWeeklySellOutAsync(string region);
}
