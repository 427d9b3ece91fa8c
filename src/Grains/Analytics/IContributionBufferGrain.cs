namespace ChannelGrains.Analytics;

/// <summary>
/// The per-silo pre-aggregator: a stateless worker, so each silo runs its own activations and a source's call to it
/// never leaves the silo. It keeps only the newest contribution per source and month and flushes them to the source
/// shards in one call per shard, at most once per <see cref="AnalyticsOptions.BufferFlushInterval"/>.
/// </summary>
[Alias("ChannelGrains.Analytics.IContributionBufferGrain")]
public interface IContributionBufferGrain : IGrainWithIntegerKey
{
    [Alias("Accept")] Task AcceptAsync(IReadOnlyList<Contribution> contributions);
}
