using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace ChannelGrains.Analytics;

/// <remarks>
/// What it holds is lost if its silo dies before the flush; the sources' heal re-publish restores it. This is why it is
/// not persisted: persisting here would cost a write per event and is exactly what the per-source contract makes unneeded.
/// </remarks>
// Idle workers are kept: removing them under a burst (the demo's seed) left calls forwarded to deactivated workers and
// expiring in placement after 30 s, which stalled every publishing dealer.
[StatelessWorker(maxLocalWorkers: 2, removeIdleWorkers: false)]
public sealed class ContributionBufferGrain(IOptions<AnalyticsOptions> options, ILogger<ContributionBufferGrain> logger)
    : Grain, IContributionBufferGrain
{
    private Dictionary<string, Dictionary<string, Contribution>> pending = new(StringComparer.Ordinal);
    private FlushThrottle? flusher;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        flusher = new FlushThrottle(FlushAsync, options.Value.BufferFlushInterval, logger, "Contribution buffer flush");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => flusher!.DrainAsync();

    public Task AcceptAsync(IReadOnlyList<Contribution> contributions)
    {
        foreach (var contribution in contributions) Keep(pending, contribution);
        flusher!.Request();
        return Task.CompletedTask;
    }

    private async Task FlushAsync()
    {
        var batch = pending;
        pending = new(StringComparer.Ordinal);
        await Task.WhenAll(batch.Select(async shard =>
        {
            try
            {
                await GrainFactory.GetGrain<ISourceShardGrain>(shard.Key).AcceptAsync(shard.Value.Values.ToArray());
            }
            catch (Exception exception)
            {
                // Back into the buffer (unless something newer arrived meanwhile) for the next flush.
                logger.LogWarning(exception, "Flushing to {Shard} failed; retrying", shard.Key);
                foreach (var contribution in shard.Value.Values) Keep(pending, contribution);
                flusher!.Request();
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
