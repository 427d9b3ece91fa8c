using ChannelGrains.Common;

namespace ChannelGrains.Tests.Subscriptions;

/// <summary>A registry whose answers reach this silo only after <paramref name="delay"/>: it hands out a version long before the silo filters by it.</summary>
internal sealed class SlowAnswers(IChangeInterestGrain registry, TimeSpan delay) : IChangeInterestGrain
{
    public async Task WatchAsync(string watcher, IReadOnlyList<string> keys) => await registry.WatchAsync(watcher, keys);

    public async Task<InterestSnapshot> ReadAsync(string reader, long knownVersion)
    {
        var answer = await registry.ReadAsync(reader, knownVersion);
        await Task.Delay(delay);
        return answer;
    }

    public async Task HoldsAsync(string reader, long version) => await registry.HoldsAsync(reader, version);
}
