using ChannelGrains.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace ChannelGrains.Tests.Storage;

/// <summary>The embedded mode uses the same JSON grain storage serializer, so it must round-trip state and PubSub too.</summary>
public sealed class MemoryModeTests
{
    [Fact]
    public async Task Without_a_connection_string_grain_state_and_stream_subscriptions_round_trip_in_memory()
    {
        await using var silo = await ChannelSilo.StartAsync(connectionString: null, "memory");
        var grain = silo.Grains.GetGrain<IStateProbeGrain>("acme/memory");
        var subscriber = silo.Grains.GetGrain<IStreamProbeGrain>("memory-subscriber");

        await grain.SaveAsync("kept");
        await subscriber.SubscribeAsync("acme/memory");
        await silo.Grains.GetGrain<IStreamProbeGrain>("memory-publisher").PublishAsync("acme/memory", "changed");

        var stored = new GrainState<ProbeState>();
        await silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel).ReadStateAsync("probe", grain.GetGrainId(), stored);
        Assert.Equal(new ProbeState { Text = "kept", Saves = 1 }, stored.State);
        await StreamPubSubStoreTests.WaitUntilReceivedAsync(subscriber, "changed");
    }

    [Fact]
    public async Task The_directory_cache_holds_100_000_addresses_unless_configured()
    {
        await using var silo = await ChannelSilo.StartAsync(connectionString: null, "directory-default");
        Assert.Equal(100_000, silo.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.CacheSize);
    }

    [Fact]
    public async Task Grains_beyond_a_small_directory_cache_still_answer_with_their_state()
    {
        await using var silo = await ChannelSilo.StartAsync(connectionString: null, "directory-small",
            settings: new Dictionary<string, string?> { ["Orleans:DirectoryCacheSize"] = "16" });
        Assert.Equal(16, silo.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.CacheSize);

        var grains = Enumerable.Range(0, 200).Select(i => silo.Grains.GetGrain<IStateProbeGrain>($"acme/cache-{i}")).ToArray();
        await Task.WhenAll(grains.Select((g, i) => g.SaveAsync($"v{i}")));
        // Every address but the last few has left the cache: the calls find the activations (and their state) anyway.
        var read = await Task.WhenAll(grains.Select(g => g.ReadAsync()));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => new ProbeState { Text = $"v{i}", Saves = 1 }), read);
    }
}
