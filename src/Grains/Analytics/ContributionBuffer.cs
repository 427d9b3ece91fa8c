using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Analytics;

/// <summary>
/// The silo's pre-aggregator, one per silo: it keeps only the newest contribution per source and month and flushes
/// them to the source shards in one call per shard, at most once per <see cref="AnalyticsOptions.BufferFlushInterval"/>
/// (the first contribution after a quiet spell at once). A source grain hands it its contributions in a plain method
/// call; callers outside the silo go through <see cref="IContributionBufferGrain"/>.
/// </summary>
/// <remarks>
/// <para>What it holds is lost if its silo dies before the flush; the sources' heal re-publish restores it. This is why
/// it is not persisted: persisting here would cost a write per event and is exactly what the per-source contract makes
/// unneeded. When the silo stops, what it holds is flushed once more.</para>
/// <para>It was a stateless worker grain: every acknowledged mutation then paid a grain call (a request and a response
/// message, a callback and a turn of the worker) only to put a contribution in a dictionary, about one in six of the
/// grain calls of the benchmark mix (docs/benchmarks.md).</para>
/// </remarks>
public sealed class ContributionBuffer : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly IGrainFactory grains;
    private readonly ILogger<ContributionBuffer> logger;
    private readonly FlushThrottle flusher;
    private readonly Lock gate = new();
    private Dictionary<string, Dictionary<string, Contribution>> pending = new(StringComparer.Ordinal);
    private bool stopped;

    public ContributionBuffer(IGrainFactory grains, IOptions<AnalyticsOptions> options, ILogger<ContributionBuffer> logger)
    {
        this.grains = grains;
        this.logger = logger;
        // On the thread pool, without a caller's execution context (its request context, its trace): the flushes
        // outlive the caller's turn and carry every caller's contributions.
        flusher = new FlushThrottle(() => FlushAsync(retry: true), options.Value.BufferFlushInterval, logger, "Contribution buffer flush", onThreadPool: true);
    }

    /// <summary>Keeps the contributions (each superseding an older one of its source and month) and has them flushed soon.</summary>
    public void Accept(IReadOnlyList<Contribution> contributions)
    {
        lock (gate)
        {
            if (stopped) return; // never flushed now: the source's next publish or heal, on a running silo, restores it
            foreach (var contribution in contributions) Keep(pending, contribution);
        }
        flusher.Request();
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ContributionBuffer), ServiceLifecycleStage.Active, _ => Task.CompletedTask, DrainAsync);

    /// <summary>When the silo stops, while grains still answer: what is pending goes out once more, and nothing is kept after.</summary>
    private Task DrainAsync(CancellationToken cancellationToken)
    {
        lock (gate) stopped = true;
        return FlushAsync(retry: false);
    }

    /// <summary>Sends what is pending, one call per shard; what a shard refused comes back for the next flush (unless stopped).</summary>
    private Task FlushAsync(bool retry)
    {
        Dictionary<string, Dictionary<string, Contribution>> batch;
        lock (gate)
        {
            if (pending.Count == 0) return Task.CompletedTask;
            (batch, pending) = (pending, new(StringComparer.Ordinal));
        }
        return Task.WhenAll(batch.Select(async shard =>
        {
            try
            {
                await grains.GetGrain<ISourceShardGrain>(shard.Key).AcceptAsync(shard.Value.Values.ToArray());
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Flushing {Count} contributions to {Shard} failed{Retry}", shard.Value.Count, shard.Key, retry ? "; retrying" : "");
                if (!retry) return;
                // Back into the buffer (unless something newer arrived meanwhile) for the next flush.
                lock (gate)
                {
                    if (stopped) return;
                    foreach (var contribution in shard.Value.Values) Keep(pending, contribution);
                }
                flusher.Request();
            }
        }));
    }

    private static void Keep(Dictionary<string, Dictionary<string, Contribution>> buffer, Contribution contribution)
    {
        var shardKey = AnalyticsKeys.ShardOf(contribution);
        if (!buffer.TryGetValue(shardKey, out var sources)) buffer[shardKey] = sources = new(StringComparer.Ordinal);
        if (ContributionRules.Supersedes(contribution, sources.GetValueOrDefault(contribution.SourceId))) sources[contribution.SourceId] = contribution;
    }
}
