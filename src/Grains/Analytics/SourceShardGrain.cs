using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace ChannelGrains.Analytics;

[GenerateSerializer, Alias("ChannelGrains.Analytics.SourceShardState")]
public sealed class SourceShardState
{
    /// <summary>The newest contribution per source id.</summary>
    [Id(0)] public Dictionary<string, Contribution> Sources { get; set; } = new(StringComparer.Ordinal);
}

public sealed class SourceShardGrain(
    [PersistentState("analytics-shard", StorageNames.Channel)] IPersistentState<SourceShardState> state,
    IOptions<AnalyticsOptions> options,
    ILogger<SourceShardGrain> logger) : Grain, ISourceShardGrain
{
    private HashSet<string> dirtyRegions = new(StringComparer.Ordinal);

    /// <summary>The sources grouped by region and the parts computed from them, for <see cref="cachedVersion"/>: every
    /// aggregate re-reads its part of each shard periodically, mostly while nothing changed.</summary>
    private Dictionary<string, List<Contribution>>? byRegion;
    private readonly Dictionary<string, AggregatePart> parts = new(StringComparer.Ordinal);
    private long cachedVersion;
    private FlushThrottle? pusher;
    private FlushThrottle? persister;
    private long version;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        pusher = new FlushThrottle(PushAsync, options.Value.PushInterval, logger, "Shard push");
        persister = new FlushThrottle(WriteAsync, options.Value.PersistInterval, logger, "Shard write");
        // Newer than anything an earlier activation sent: what this one reads back from storage is now the truth.
        version = VersionClock.Next(version);
        return Task.CompletedTask;
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
            dirtyRegions.Add(contribution.Region);
            if (held is not null) dirtyRegions.Add(held.Region);
            changed = true;
        }
        if (changed)
        {
            version = VersionClock.Next(version);
            pusher!.Request();
            persister!.Request();
        }
        return Task.CompletedTask;
    }

    public Task<AggregatePart> GetRegionPartAsync(string region) => Task.FromResult(PartOf(region));

    public Task<IReadOnlyList<DealerSellOut>> GetSellersAsync(string region)
    {
        var prefix = Contribution.DealerKind + ":";
        IReadOnlyList<DealerSellOut> sellers = state.State.Sources.Values
            .Where(c => c.SourceId.StartsWith(prefix, StringComparison.Ordinal) && RegionPath.IsWithin(c.Region, region))
            .Select(c => new DealerSellOut(c.SourceId[prefix.Length..], c.Region, c.Month, c.Figures.SellOutValue))
            .ToArray();
        return Task.FromResult(sellers);
    }

    public Task<Dictionary<string, int>> GetWeeklySellOutAsync(string region) =>
        Task.FromResult(Rollup.WeeklyOf(state.State.Sources.Values.Where(c => RegionPath.IsWithin(c.Region, region))));

    private async Task PushAsync()
    {
        var regions = dirtyRegions;
        dirtyRegions = new(StringComparer.Ordinal);
        var (tenant, month, shard) = AnalyticsKeys.ParseShard(this.GetPrimaryKeyString());
        await Task.WhenAll(regions.Select(async region =>
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
    /// This activation's state wins a write conflict: the stored copy can only be older (a storage node lost with a
    /// dead silo, or a write of a previous activation), and what this one holds is then restored by the heal.
    /// </summary>
    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            var current = state.State;
            await state.ReadStateAsync();
            state.State = current;
            await state.WriteStateAsync();
        }
    }

    private AggregatePart PartOf(string region)
    {
        if (byRegion is null || cachedVersion != version)
        {
            byRegion = state.State.Sources.Values.GroupBy(c => c.Region, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            parts.Clear();
            cachedVersion = version;
        }
        if (parts.TryGetValue(region, out var cached)) return cached;
        var own = byRegion.GetValueOrDefault(region) ?? [];
        var children = byRegion.Keys.Select(r => Rollup.ChildOn(r, region)).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return parts[region] = new AggregatePart(version, DateTime.UtcNow, Rollup.OfSources(own), children);
    }
}
