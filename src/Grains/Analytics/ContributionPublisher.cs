using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChannelGrains.Analytics;

/// <summary>
/// How a source feeds the live BI pipeline. Call <see cref="PublishContributionAsync"/> <b>after</b> the source's new
/// state is persisted, with the current contribution of every month the change touched. To heal (events lost to a silo
/// dying), call <see cref="PublishContributionsAsync"/> with the current contributions of the months the source holds,
/// on activation and on a timer: a contribution the aggregates already hold is ignored, one they lost is restored.
/// </summary>
public static class ContributionPublisher
{
    /// <summary>
    /// Hands the contribution to this silo's buffer; it reaches the aggregates within a few hundred milliseconds.
    /// Never fails the caller's acknowledged mutation: a failure is logged and the next publish or heal repairs it.
    /// A malformed contribution is a bug in the source and throws <see cref="ArgumentException"/>.
    /// </summary>
    public static Task PublishContributionAsync(this Grain grain, Contribution contribution, ILogger logger) =>
        grain.PublishContributionsAsync([contribution], logger);

    /// <inheritdoc cref="PublishContributionAsync"/>
    public static async Task PublishContributionsAsync(this Grain grain, IReadOnlyList<Contribution> contributions, ILogger logger)
    {
        foreach (var contribution in contributions) ContributionRules.Validated(contribution);
        try
        {
            await grain.GrainContext.ActivationServices.GetRequiredService<IGrainFactory>().GetGrain<IContributionBufferGrain>(0).AcceptAsync(contributions);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Publishing {Count} contributions failed; the next publish or heal repairs it", contributions.Count);
        }
    }

    /// <summary>The same from outside a grain (tests, benchmarks, importers): the call lands on some silo's buffer, and failures throw.</summary>
    public static Task PublishAsync(IGrainFactory grains, IReadOnlyList<Contribution> contributions)
    {
        foreach (var contribution in contributions) ContributionRules.Validated(contribution);
        return grains.GetGrain<IContributionBufferGrain>(0).AcceptAsync(contributions);
    }
}
