using ChannelGrains.Analytics;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Partners;

/// <summary>
/// What a dealer listing needs of a dealer, kept in the index buckets, as of the dealer's <see cref="Version"/> (0 in
/// entries written before it was kept).
/// </summary>
[GenerateSerializer, Alias("ChannelGrains.DealerIndexEntry")]
public sealed record class DealerIndexEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] string Region,
    [property: Id(2)] DealerTier Tier,
    [property: Id(3)] long Version = 0);

[GenerateSerializer, Alias("ChannelGrains.DealerIndexPage")]
public sealed record class DealerIndexPage([property: Id(0)] IReadOnlyList<DealerIndexEntry> Entries, [property: Id(1)] int MatchCount);

public static class DealerIndex
{
    /// <summary>Dealers of a tenant spread over this many index grains, so neither loads nor listings funnel into one grain.</summary>
    public const int Buckets = 16;

    public static string BucketKey(string tenant, string dealerId) => Keys.Of(tenant, $"bucket-{Bucket(dealerId)}");

    public static IEnumerable<string> AllBucketKeys(string tenant) => Enumerable.Range(0, Buckets).Select(b => Keys.Of(tenant, $"bucket-{b}"));

    public static DealerIndexEntry Entry(DealerView view) => new(view.Id, view.Region, view.Tier, view.Version);

    public static bool Matches(DealerIndexEntry entry, string? region, DealerTier? tier) =>
        (region is null || RegionPath.IsWithin(entry.Region, region)) && (tier is null || entry.Tier == tier);

    // A stable hash (string.GetHashCode is randomized per process, and buckets are persisted).
    private static int Bucket(string id)
    {
        uint hash = 2166136261;
        foreach (var c in id) hash = (hash ^ c) * 16777619;
        return (int)(hash % Buckets);
    }
}

/// <summary>One bucket of a tenant's dealer index (key <c>tenant/bucket-N</c>), listed in dealer id order for cursor paging.</summary>
[Alias("ChannelGrains.IDealerIndexGrain")]
public interface IDealerIndexGrain : IGrainWithStringKey
{
    [Alias("Put")] Task PutAsync(IReadOnlyList<DealerIndexEntry> entries);

    /// <summary>Entries after <paramref name="afterId"/> that match, at most <paramref name="take"/>, and how many match in all.</summary>
    [Alias("List")] Task<DealerIndexPage> ListAsync(string? region, DealerTier? tier, string? afterId, int take);
}

[GenerateSerializer, Alias("ChannelGrains.DealerIndexState")]
public sealed class DealerIndexState
{
    [Id(0)] public Dictionary<string, DealerIndexEntry> Entries { get; set; } = new(StringComparer.Ordinal);
}

public sealed class DealerIndexGrain(
    [PersistentState("dealer-index", StorageNames.Channel)] IPersistentState<DealerIndexState> state,
    IOptions<AnalyticsOptions> options) : Grain, IDealerIndexGrain, IRemindable
{
    private const string HealSweep = "heal-sweep";

    /// <summary>Wakes every dealer of this bucket: an activation re-publishes the dealer's contributions (rule 17's heal).</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var tenant = Keys.Split(this.GetPrimaryKeyString()).Tenant;
        foreach (var batch in state.State.Entries.Keys.Chunk(100))
            await Task.WhenAll(batch.Select(id => GrainFactory.GetGrain<IDealerGrain>(Keys.Of(tenant, id)).GetAsync()));
    }

    public async Task PutAsync(IReadOnlyList<DealerIndexEntry> entries)
    {
        if (state.State.Entries.Count == 0 && entries.Count > 0)
            await this.RegisterOrUpdateReminder(HealSweep, Jitter.Spread(options.Value.HealSweepInterval), options.Value.HealSweepInterval);
        var changed = false;
        foreach (var entry in entries)
        {
            // Two loads moving the same dealer write their buckets in any order: an entry older than the one held is not the dealer now.
            if (state.State.Entries.TryGetValue(entry.Id, out var existing) && (existing == entry || existing.Version > entry.Version)) continue;
            state.State.Entries[entry.Id] = entry;
            // A listing changes only when a dealer comes, moves or changes tier. A newer version alone (a renamed dealer,
            // a new credit limit) is held, to order the writes that follow, and stored with the bucket's next change.
            changed |= existing is null || existing.Region != entry.Region || existing.Tier != entry.Tier;
        }
        if (changed) await state.PersistAsync(this);
    }

    public Task<DealerIndexPage> ListAsync(string? region, DealerTier? tier, string? afterId, int take)
    {
        var matches = state.State.Entries.Values.Where(e => DealerIndex.Matches(e, region, tier)).OrderBy(e => e.Id, StringComparer.Ordinal);
        var count = 0;
        var page = new List<DealerIndexEntry>(Math.Max(0, take));
        foreach (var entry in matches)
        {
            count++;
            if (page.Count < take && (afterId is null || string.CompareOrdinal(entry.Id, afterId) > 0)) page.Add(entry);
        }
        return Task.FromResult(new DealerIndexPage(page, count));
    }
}
