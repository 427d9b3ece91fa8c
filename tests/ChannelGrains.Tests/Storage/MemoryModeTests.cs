using ChannelGrains.Common;
using Microsoft.Extensions.DependencyInjection;
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
}
