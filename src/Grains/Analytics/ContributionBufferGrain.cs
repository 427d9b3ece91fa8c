using Orleans.Concurrency;

namespace ChannelGrains.Analytics;

/// <summary>The way into a silo's <see cref="ContributionBuffer"/> from outside it (tests, benchmarks, importers).</summary>
// Idle workers are kept: removing them under a burst (the demo's seed) left calls forwarded to deactivated workers and
// expiring in placement after 30 s.
[StatelessWorker(maxLocalWorkers: 1, removeIdleWorkers: false)]
public sealed class ContributionBufferGrain(ContributionBuffer buffer) : Grain, IContributionBufferGrain
{
    public Task AcceptAsync(IReadOnlyList<Contribution> contributions)
    {
        buffer.Accept(contributions);
        return Task.CompletedTask;
    }
}
