using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Logging;

namespace ChannelGrains.Common;

/// <summary>
/// A silo's copy of the watched keys of each filtered namespace (see <see cref="ChangeInterest"/>), read again in the
/// background while producers publish. When in doubt (no copy yet, or an old one) it answers publish: a change published needlessly costs a message, one skipped wrongly would be lost to a subscriber.
/// </summary>
/// <param name="registry">The registry grain of a namespace (tests may put a slower network in between).</param>
public sealed class ChangeInterestCache(Func<string, IChangeInterestGrain> registry, TimeProvider clock, ILogger<ChangeInterestCache> logger)
{
    public ChangeInterestCache(IGrainFactory grains, TimeProvider clock, ILogger<ChangeInterestCache> logger)
        : this(streamNamespace => grains.GetGrain<IChangeInterestGrain>(streamNamespace), clock, logger)
    {
    }

    private readonly string reader = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, Copy> copies = new(StringComparer.Ordinal);

    public bool ShouldPublish(string streamNamespace, string key)
    {
        if (!ChangeInterest.Filtered.Contains(streamNamespace)) return true;
        var copy = copies.GetOrAdd(streamNamespace, _ => new Copy());
        var held = copy.Current;
        var age = held is null ? TimeSpan.MaxValue : clock.GetElapsedTime(held.ReadFrom);
        if (age >= ChangeInterest.RefreshAfter && Interlocked.Exchange(ref copy.Refreshing, 1) == 0)
            _ = Task.Run(() => RefreshAsync(streamNamespace, copy));
        return held is null || age >= ChangeInterest.CopyLifetime || held.Keys.Contains(key);
    }

    private async Task RefreshAsync(string streamNamespace, Copy copy)
    {
        try
        {
            var started = clock.GetTimestamp(); // the copy is as old as the moment it was asked for
            var held = copy.Current;
            var registryGrain = registry(streamNamespace);
            var read = await registryGrain.ReadAsync(reader, held?.Version ?? long.MinValue);
            var keys = read.Keys is null && held is not null ? held.Keys : (read.Keys ?? []).ToFrozenSet(StringComparer.Ordinal);
            copy.Current = new Held(read.Version, keys, started);
            // A watch waits for this: only now does this silo publish the keys it added.
            if (read.Version != held?.Version) await registryGrain.HoldsAsync(reader, read.Version);
        }
        catch (Exception exception)
        {
            logger.LogDebug(exception, "Reading the watched keys of {Namespace} failed; publishing all of them meanwhile", streamNamespace);
        }
        finally
        {
            Volatile.Write(ref copy.Refreshing, 0);
        }
    }

    private sealed record Held(long Version, FrozenSet<string> Keys, long ReadFrom);

    private sealed class Copy
    {
        public volatile Held? Current;
        public int Refreshing;
    }
}
