using Microsoft.Extensions.DependencyInjection;

namespace ChannelGrains.Analytics;

/// <summary>
/// How a source feeds the live BI pipeline. Call <see cref="PublishContribution"/> <b>after</b> the source's new
/// state is persisted, with the current contribution of every month the change touched. To heal (events lost to a silo
/// dying), call <see cref="PublishContributions"/> with the current contributions of the months the source holds,
/// on activation and on a timer: a contribution the aggregates already hold is ignored, one they lost is restored.
/// </summary>
public static class ContributionPublisher
{
    /// <summary>
    /// Hands the contribution to this silo's buffer (a method call, not a grain call); it reaches the aggregates within a
    /// few hundred milliseconds. Never fails the caller's acknowledged mutation: a failure to flush is logged and retried,
    /// and what the silo loses when it dies, the next publish or heal repairs.
    /// A malformed contribution is a bug in the source and throws <see cref="ArgumentException"/>.
    /// </summary>
    public static void PublishContribution(this Grain grain, Contribution contribution) => grain.PublishContributions([contribution]);

    /// <inheritdoc cref="PublishContribution"/>
    /// <param name="listsChecked">Whether every contribution's SKUs and weeks passed their checks already (see <see cref="ContributionRules.Validated"/>).</param>
    public static void PublishContributions(this Grain grain, IReadOnlyList<Contribution> contributions, bool listsChecked = false)
    {
        foreach (var contribution in contributions) ContributionRules.Validated(contribution, listsChecked);
        grain.GrainContext.ActivationServices.GetRequiredService<ContributionBuffer>().Accept(contributions);
    }

    /// <summary>The same from outside a grain (tests, benchmarks, importers): the call lands on some silo's buffer, and failures throw.</summary>
    public static Task PublishAsync(IGrainFactory grains, IReadOnlyList<Contribution> contributions)
    {
        foreach (var contribution in contributions) ContributionRules.Validated(contribution);
        return grains.GetGrain<IContributionBufferGrain>(0).AcceptAsync(contributions);
    }
}
