namespace ChannelGrains.Analytics;

/// <summary>
/// Keys of the analytics grains. Source shards: <c>tenant/2026-11/s3</c> (the latest contribution of each source
/// hashed to shard 3, for that month). Aggregates: <c>tenant/2026-Q4/CN/East</c> (one region and period); the same
/// string is the key of the aggregate's change stream.
/// </summary>
public static class AnalyticsKeys
{
    /// <summary>Sources of one tenant and month spread over this many shards, so no grain receives every source.</summary>
    public const int Shards = 16;

    /// <summary>The stream namespace on which each aggregate publishes its <see cref="ChannelSummaryView"/> after a change.</summary>
    public const string SummaryStream = "channel-summary";

    public static string Shard(string tenant, string month, int shard) => $"{Validate.Id(tenant, "tenant")}/{month}/s{shard}";

    public static IEnumerable<string> AllShards(string tenant, string month) => Enumerable.Range(0, Shards).Select(s => Shard(tenant, month, s));

    public static string ShardOf(Contribution contribution) => Shard(contribution.Tenant, contribution.Month, ShardIndex(contribution.SourceId));

    public static (string Tenant, Period Month, int Shard) ParseShard(string key)
    {
        var (tenant, rest) = Keys.Split(key);
        var slash = rest.IndexOf('/');
        return (tenant, Period.Parse(rest[..slash]), int.Parse(rest[(slash + 2)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static string Aggregate(string tenant, Period period, string region) =>
        $"{Validate.Id(tenant, "tenant")}/{period}/{Validate.Region(region)}";

    public static (string Tenant, Period Period, string Region) ParseAggregate(string key)
    {
        var (tenant, rest) = Keys.Split(key);
        var slash = rest.IndexOf('/');
        return (tenant, Period.Parse(rest[..slash]), rest[(slash + 1)..]);
    }

    // A stable hash (string.GetHashCode is randomized per process, and shard state is persisted).
    public static int ShardIndex(string sourceId)
    {
        uint hash = 2166136261;
        foreach (var c in sourceId) hash = (hash ^ c) * 16777619;
        return (int)(hash % Shards);
    }
}

/// <summary>Timings of the pipeline (the silo's defaults suit production; tests shorten the reconcile interval).</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";

    /// <summary>
    /// How often every dealer of a tenant is woken up by its index, so that one whose contributions died with a silo
    /// and that nobody touches since re-publishes them (a recently changed one is re-published by its silo's heal).
    /// </summary>
    public TimeSpan HealSweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often each silo asks the dealers that changed on it in the last two periods to publish their months again (<see cref="Partners.DealerHeal"/>).</summary>
    public TimeSpan DealerHealPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long each silo's buffer gathers contributions before it flushes them to the shards.</summary>
    public TimeSpan BufferFlushInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The least time between two pushes of one shard or aggregate to the grains above it.</summary>
    public TimeSpan PushInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The least time between two writes of a shard's state; a silo that dies loses at most this much, which the heal re-publish restores.</summary>
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often an active aggregate re-reads its inputs (anti-entropy after a silo died).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);
}
