using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace ChannelGrains.Common;

public static class ChangeFeed
{
    public static StreamId StreamOf(string streamNamespace, string key) => StreamId.Create(streamNamespace, key);

    /// <summary>Whether a change of <paramref name="key"/> would be published now: someone watches it, or this silo cannot tell (see <see cref="ChangeInterestCache"/>).</summary>
    public static bool IsWatched(this Grain grain, string streamNamespace, string key) =>
        grain.GrainContext.ActivationServices.GetService<ChangeInterestCache>()?.ShouldPublish(streamNamespace, key) != false;

    /// <summary>
    /// Publishes a change after its state is durable, unless nobody watches it (see <see cref="ChangeInterest"/>). A failed publish does not fail the acknowledged mutation:
    /// it is logged and false is returned, for a producer that can publish its newest state again (subscribers otherwise see
    /// the next change). <paramref name="change"/> is built only when the change is published.
    /// </summary>
    public static async Task<bool> PublishChangeAsync<T>(this Grain grain, string streamNamespace, string key, Func<T> change, ILogger logger)
    {
        if (!grain.IsWatched(streamNamespace, key)) return true;
        try
        {
            await grain.GetStreamProvider(StreamNames.Provider).GetStream<T>(StreamOf(streamNamespace, key)).OnNextAsync(change());
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Publishing a {Namespace} change of {Key} failed; the state is saved", streamNamespace, key);
            return false;
        }
    }
}
