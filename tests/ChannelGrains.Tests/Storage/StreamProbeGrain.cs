using ChannelGrains.Common;
using Orleans.Streams;

namespace ChannelGrains.Tests.Storage;

/// <summary>A test-only grain with an explicit stream subscription, which the PubSub store must persist.</summary>
[Alias("ChannelGrains.Tests.Storage.IStreamProbeGrain")]
public interface IStreamProbeGrain : IGrainWithStringKey
{
    [Alias("Subscribe")] Task SubscribeAsync(string topic);

    [Alias("Publish")] Task PublishAsync(string topic, string item);

    [Alias("Received")] Task<string[]> ReceivedAsync();
}

public sealed class StreamProbeGrain : Grain, IStreamProbeGrain
{
    private readonly List<string> received = [];

    public async Task SubscribeAsync(string topic) =>
        await Stream(topic).SubscribeAsync((item, _) =>
        {
            received.Add(item);
            return Task.CompletedTask;
        });

    public Task PublishAsync(string topic, string item) => Stream(topic).OnNextAsync(item);

    public Task<string[]> ReceivedAsync() => Task.FromResult(received.ToArray());

    private IAsyncStream<string> Stream(string topic) =>
        this.GetStreamProvider(StreamNames.Provider).GetStream<string>(StreamId.Create("probe", topic));
}
