using Orleans.Concurrency;

namespace ChannelGrains.Analytics;

/// <summary>
/// The channel aggregate of one region and period (key <c>tenant/2026-11/CN/East</c>). A month keeps the newest part
/// from each source shard (its sources in exactly this region) and from each child region, and sums them; a quarter
/// or year keeps the newest total of each of its months of the same region (<see cref="Rollup.OverMonths"/>). After a
/// change a month pushes its total to its parent region and to its quarter and year, and every aggregate publishes its
/// summary on its change stream. Nothing here is persisted: every input can be read again from the shards below.
/// </summary>
[Alias("ChannelGrains.Analytics.IChannelAggregateGrain")]
public interface IChannelAggregateGrain : IGrainWithStringKey
{
    /// <summary>Keeps <paramref name="part"/> as the value of <paramref name="input"/> unless a newer one is held.</summary>
    [Alias("Accept")] Task AcceptAsync(string input, AggregatePart part);

    /// <summary>This aggregate's total, as its parent, quarter or year reads it.</summary>
    [Alias("Part")] Task<AggregatePart> GetPartAsync();

    [Alias("Summary")] Task<ChannelSummaryView> GetSummaryAsync();

    [Alias("Breakdown")] Task<ChannelBreakdownView> GetBreakdownAsync();

    /// <summary>
    /// The dealers of this region with the highest sell-out in the period (a dealer summed over the months), read from
    /// the source shards and kept while this aggregate's version stays the same: never older than the summary beside it.
    /// Interleaved: a read of the shards never holds up the pushes this aggregate receives.
    /// </summary>
    [AlwaysInterleave, Alias("TopDealers")] Task<IReadOnlyList<DealerSellOut>> GetTopDealersAsync(int first);
}
