using System.Diagnostics;
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
public sealed class ContributionBuffer(IGrainFactory grains, IOptions<AnalyticsOptions> options, ILogger<ContributionBuffer> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly Lock gate = new();
    private Dictionary<string, Dictionary<string, Contribution>> pending = new(StringComparer.Ordinal);
    private bool flushing;
    private bool stopped;

    /// <summary>Keeps the contributions (each superseding an older one of its source and month) and has them flushed soon.</summary>
    public void Accept(IReadOnlyList<Contribution> contributions)
    {
        lock (gate)
        {
            foreach (var contribution in contributions) Keep(pending, contribution);
            if (flushing || stopped) return;
            flushing = true;
        }
        // On the thread pool, not on the calling grain's scheduler, and without the caller's execution context (its
        // request context, its trace): the flushes outlive the caller's turn and carry every caller's contributions.
        ThreadPool.UnsafeQueueUserWorkItem(static buffer => _ = buffer.FlushWhilePendingAsync(), this, preferLocal: false);
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ContributionBuffer), ServiceLifecycleStage.Active, _ => Task.CompletedTask, DrainAsync);

    /// <summary>Flushes what is pending, waits at least the interval, and again while anything came meanwhile.</summary>
    private async Task FlushWhilePendingAsync()
    {
        try
        {
            while (true)
            {
                Dictionary<string, Dictionary<string, Contribution>> batch;
                lock (gate)
                {
                    if (pending.Count == 0 || stopped)
                    {
                        flushing = false;
                        return;
                    }
                    (batch, pending) = (pending, new(StringComparer.Ordinal));
                }
                var started = Stopwatch.GetTimestamp();
                await FlushAsync(batch, retry: true);
                var rest = options.Value.BufferFlushInterval - Stopwatch.GetElapsedTime(started);
                if (rest > TimeSpan.Zero) await Task.Delay(rest);
            }
        }
        catch (Exception exception)
        {
            // A flush failure is caught per shard, so this is a bug; the next contribution starts flushing again.
            logger.LogError(exception, "The contribution buffer stopped flushing");
            lock (gate) flushing = false;
        }
    }

    /// <summary>When the silo stops, while grains still answer: what is pending goes out once more, and nothing is kept after.</summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, Dictionary<string, Contribution>> batch;
        lock (gate)
        {
            stopped = true;
            (batch, pending) = (pending, new(StringComparer.Ordinal));
        }
        await FlushAsync(batch, retry: false);
    }

    private Task FlushAsync(Dictionary<string, Dictionary<string, Contribution>> batch, bool retry) =>
        Task.WhenAll(batch.Select(async shard =>
        {
            try
            {
                await grains.GetGrain<ISourceShardGrain>(shard.Key).AcceptAsync(shard.Value.Values.ToArray());
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Flushing {Count} contributions to {Shard} failed{Retry}", shard.Value.Count, shard.Key, retry ? "; retrying" : "");
                // Back into the buffer (unless something newer arrived meanwhile) for the next flush.
                if (retry)
                    lock (gate)
                        foreach (var contribution in shard.Value.Values) Keep(pending, contribution);
            }
        }));

    private static void Keep(Dictionary<string, Dictionary<string, Contribution>> buffer, Contribution contribution)
    {
        var shardKey = AnalyticsKeys.ShardOf(contribution);
        if (!buffer.TryGetValue(shardKey, out var sources)) buffer[shardKey] = sources = new(StringComparer.Ordinal);
        if (ContributionRules.Supersedes(contribution, sources.GetValueOrDefault(contribution.SourceId))) sources[contribution.SourceId] = contribution;
    }
}
