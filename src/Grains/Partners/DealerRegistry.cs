namespace ChannelGrains.Partners;

public sealed record DealerPage(IReadOnlyList<DealerIndexEntry> Entries, int TotalCount, bool HasNextPage);

/// <summary>
/// Dealer writes and listings that span grains: upserts fan out to dealer grains in parallel and then write each
/// index bucket once per batch, so a load of thousands of dealers is neither one round trip per record nor a queue
/// on one grain. A plain class: it runs wherever the caller is (Api process or silo).
/// </summary>
public sealed class DealerRegistry(IGrainFactory grains)
{
    public async Task<IReadOnlyList<UpsertOutcome<DealerView>>> UpsertAsync(string tenant, IReadOnlyList<DealerInfo> batch)
    {
        var outcomes = await Bulk.UpsertAsync(batch, DealerRules.Validated, d => d.Id,
            info => grains.GetGrain<IDealerGrain>(Keys.Of(tenant, info.Id)).UpsertAsync(info));
        // The index is written after the dealers: if this fails the mutation fails, and its retry repairs the index.
        await Task.WhenAll(outcomes.Where(o => o.Value is not null)
            .GroupBy(o => DealerIndex.BucketKey(tenant, o.Value!.Id))
            .Select(bucket => grains.GetGrain<IDealerIndexGrain>(bucket.Key).PutAsync(bucket.Select(o => DealerIndex.Entry(o.Value!)).ToArray())));
        return outcomes;
    }

    /// <summary>Dealers sorted by id after <paramref name="afterId"/>, merged from every index bucket.</summary>
    public async Task<DealerPage> ListAsync(string tenant, string? region, DealerTier? tier, string? afterId, int first)
    {
        var pages = await Task.WhenAll(DealerIndex.AllBucketKeys(tenant)
            .Select(key => grains.GetGrain<IDealerIndexGrain>(key).ListAsync(region, tier, afterId, first + 1)));
        var merged = pages.SelectMany(p => p.Entries).OrderBy(e => e.Id, StringComparer.Ordinal).Take(first + 1).ToList();
        return new DealerPage(merged.Take(first).ToArray(), pages.Sum(p => p.MatchCount), merged.Count > first);
    }
}
