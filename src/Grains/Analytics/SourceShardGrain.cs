using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace ChannelGrains.Analytics;

[GenerateSerializer, Alias("ChannelGrains.Analytics.SourceShardState")]
public sealed class SourceShardState
{
    /// <summary>The newest contribution per source id.</summary>
    [Id(0)] public Dictionary<string, Contribution> Sources { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Above every version of the shard's parts handed out so far (<see cref="RisingVersions"/>).</summary>
    [Id(1)] public long VersionFloor { get; set; }
}

public sealed class SourceShardGrain(
    [PersistentState("analytics-shard", StorageNames.Channel)] IPersistentState<SourceShardState> state,
    IOptions<AnalyticsOptions> options,
    TimeProvider clock,
    ILogger<SourceShardGrain> logger) : Grain, ISourceShardGrain
{
    private HashSet<string> dirtyRegions = new(StringComparer.Ordinal);

    /// <summary>The running sum of the sources in each region (exactly that region), kept up to date source by source.</summary>
    private readonly Dictionary<string, Rollup.Accumulator> regions = new(StringComparer.Ordinal);

    /// <summary>The parts computed from <see cref="regions"/>, until the region's sum changes: every aggregate re-reads
    /// its part of each shard periodically, mostly while nothing changed.</summary>
    private readonly Dictionary<string, AggregatePart> parts = new(StringComparer.Ordinal);

    /// <summary>The regions just below each region that hold sources here, until the regions with sources change: a
    /// part is made again at every change of its region, and its children were found again each time.</summary>
    private readonly Dictionary<string, string[]> children = new(StringComparer.Ordinal);

    /// <summary>
    /// Top lists given since the last change to a dealer's sell-out or region here, by region and length. Dashboards
    /// ask for them far more often than sell-out changes: orders, shipments and quotas leave them as they are.
    /// </summary>
    private readonly Dictionary<(string Region, int First), IReadOnlyList<DealerSellOut>> topSellers = [];
    private const int TopListsKept = 32;

    private FlushThrottle? pusher;
    private FlushThrottle? persister;
    private long version;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        pusher = new FlushThrottle(PushAsync, options.Value.PushInterval, logger, "Shard push");
        persister = new FlushThrottle(WriteAsync, options.Value.PersistInterval, logger, "Shard write");
        foreach (var source in state.State.Sources.Values) Count(source, 1);
        // Newer than anything an earlier activation sent, on whichever silo: what this one read back from storage is
        // now the truth. Its floor is stored before any part goes out.
        version = RisingVersions.Start(state.State.VersionFloor, clock);
        await WriteAsync();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await pusher!.DrainAsync();
        await persister!.DrainAsync();
    }

    public Task AcceptAsync(IReadOnlyList<Contribution> contributions)
    {
        var changed = false;
        foreach (var contribution in contributions)
        {
            var held = state.State.Sources.GetValueOrDefault(contribution.SourceId);
            if (!ContributionRules.Supersedes(contribution, held)) continue;
            state.State.Sources[contribution.SourceId] = contribution;
            if (held is null || held.Region != contribution.Region || held.Figures.SellOutValue != contribution.Figures.SellOutValue) topSellers.Clear();
            if (held is not null && held.Region == contribution.Region) Replace(held, contribution);
            else
            {
                if (held is not null) Count(held, -1);
                Count(contribution, 1);
            }
            dirtyRegions.Add(contribution.Region);
            if (held is not null) dirtyRegions.Add(held.Region);
            changed = true;
        }
        if (changed)
        {
            version++;
            pusher!.Request();
            persister!.Request();
        }
        return Task.CompletedTask;
    }

    public Task<AggregatePart> GetRegionPartAsync(string region) => Task.FromResult(PartOf(region));

    public Task<IReadOnlyList<DealerSellOut>> GetSellersAsync(string region) =>
        Task.FromResult<IReadOnlyList<DealerSellOut>>(state.State.Sources.Values.Where(c => IsDealerWithin(c, region)).Select(Seller).ToArray());

    public Task<IReadOnlyList<DealerSellOut>> GetTopSellersAsync(string region, int first)
    {
        if (first <= 0) return Task.FromResult<IReadOnlyList<DealerSellOut>>([]);
        if (!topSellers.TryGetValue((region, first), out var top))
        {
            if (topSellers.Count >= TopListsKept) topSellers.Clear();
            topSellers[(region, first)] = top = TopSellers(region, first);
        }
        return Task.FromResult(top);
    }

    private IReadOnlyList<DealerSellOut> TopSellers(string region, int first)
    {
        // A dealer has one contribution here: keep the best `first` in a heap whose root is the worst of them.
        var kept = new PriorityQueue<Contribution, Contribution>(first + 1, WorstSellerFirst);
        foreach (var source in state.State.Sources.Values)
        {
            if (!IsDealerWithin(source, region)) continue;
            kept.Enqueue(source, source);
            if (kept.Count > first) kept.Dequeue();
        }
        return Rollup.TopSellers(kept.UnorderedItems.Select(k => Seller(k.Element)), first);
    }

    /// <summary>Lower sell-out first; among equals the higher dealer id, since <see cref="Rollup.TopSellers"/> ranks ties by id.</summary>
    private static readonly Comparer<Contribution> WorstSellerFirst = Comparer<Contribution>.Create((a, b) =>
        a.Figures.SellOutValue != b.Figures.SellOutValue ? a.Figures.SellOutValue.CompareTo(b.Figures.SellOutValue) : string.CompareOrdinal(b.SourceId, a.SourceId));

    private static bool IsDealerWithin(Contribution source, string region) =>
        source.SourceId.StartsWith(DealerPrefix, StringComparison.Ordinal) && RegionPath.IsWithin(source.Region, region);

    private static DealerSellOut Seller(Contribution source) =>
        new(source.SourceId[DealerPrefix.Length..], source.Region, source.Month, source.Figures.SellOutValue);

    private const string DealerPrefix = Contribution.DealerKind + ":";

    public Task<Dictionary<string, long>> GetWeeklySellOutAsync(string region) =>
        Task.FromResult(Rollup.WeeklyOf(state.State.Sources.Values.Where(c => RegionPath.IsWithin(c.Region, region))));

    private async Task PushAsync()
    {
        var touched = dirtyRegions;
        dirtyRegions = new(StringComparer.Ordinal);
        var (tenant, month, shard) = AnalyticsKeys.ParseShard(this.GetPrimaryKeyString());
        await Task.WhenAll(touched.Select(async region =>
        {
            try
            {
                await GrainFactory.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(tenant, month, region))
                    .AcceptAsync(ChannelAggregateGrain.ShardInput(shard), PartOf(region));
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Pushing shard {Shard} to {Region} failed; retrying", shard, region);
                dirtyRegions.Add(region);
                pusher!.Request();
            }
        }));
    }

    /// <summary>
    /// Stores the sources and a version floor above the current version, which the versions handed out until the next
    /// successful write stay below (one per change, far fewer than <see cref="RisingVersions.Ahead"/>). This
    /// activation's state wins a write conflict: the stored copy can only be older (a storage node lost with a dead
    /// silo, or a write of a previous or duplicate activation), and what this one holds is then restored by the heal.
    /// Its versions go above the other activation's floor, and every region is pushed again, so that its parts win
    /// above too.
    /// </summary>
    private async Task WriteAsync()
    {
        state.State.VersionFloor = RisingVersions.FloorAbove(version);
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            var current = state.State;
            await state.ReadStateAsync();
            version = Math.Max(version, state.State.VersionFloor);
            current.VersionFloor = RisingVersions.FloorAbove(version);
            state.State = current;
            topSellers.Clear(); // a list read from the stored copy in between would be stale
            parts.Clear();
            dirtyRegions.UnionWith(regions.Keys);
            pusher!.Request();
            await state.WriteStateAsync();
        }
    }

    /// <summary>Adds (<paramref name="sign"/> 1) or takes out (-1) a source's contribution in its region.</summary>
    private void Count(Contribution source, int sign)
    {
        var exists = regions.TryGetValue(source.Region, out var sum);
        if (!exists) regions[source.Region] = sum = new Rollup.Accumulator();
        if (sign > 0) sum!.Add(source);
        else sum!.Remove(source);
        parts.Remove(source.Region);
        if (sum.Sources == 0 || !exists)
        {
            if (sum.Sources == 0) regions.Remove(source.Region);
            parts.Clear(); // the regions with sources changed, and with them the children of others
            children.Clear();
        }
    }

    /// <summary>A source's newer contribution in the same region: its sum changes by the difference, the regions with sources stay.</summary>
    private void Replace(Contribution held, Contribution now)
    {
        regions[now.Region].Replace(held, now);
        parts.Remove(now.Region);
    }

    private AggregatePart PartOf(string region)
    {
        if (parts.TryGetValue(region, out var cached)) return cached;
        var totals = regions.TryGetValue(region, out var own) ? own.ToTotals(null) : ChannelTotals.Empty;
        return parts[region] = new AggregatePart(version, DateTime.UtcNow, totals, ChildrenOf(region));
    }

    private string[] ChildrenOf(string region)
    {
        if (!children.TryGetValue(region, out var below))
            children[region] = below = regions.Keys.Select(r => Rollup.ChildOn(r, region)).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return below;
    }
}
