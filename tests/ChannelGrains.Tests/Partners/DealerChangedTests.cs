using System.Threading.Channels;
using ChannelGrains.Api.Subscriptions;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChannelGrains.Tests.Partners;

[Collection(ClusterCollection.Name)]
public sealed class DealerChangedTests(ClusterFixture fixture)
{
    private readonly string tenant = TestTenant.New();

    private static DealerInfo Dealer(string id, string name) => new(id, name, "CN/East", DealerTier.Value, DealerStatus.Admitted, 100m, []);

    [Fact]
    public async Task Subscribers_get_the_current_dealer_then_each_change_and_share_one_stream_subscription()
    {
        var hub = new ChangeHub(fixture.Cluster.Client, NullLogger<ChangeHub>.Instance);
        var grain = fixture.Grains.GetGrain<IDealerGrain>(Keys.Of(tenant, "D1"));
        await grain.UpsertAsync(Dealer("D1", "first"));
        var (first, firstSubscription) = await WatchAsync(hub);
        var (second, secondSubscription) = await WatchAsync(hub);

        await grain.UpsertAsync(Dealer("D1", "second"));

        Assert.Equal(1, hub.ActiveTopics);
        foreach (var received in new[] { first, second })
        {
            Assert.Equal("first", (await NextAsync(received)).Name);
            Assert.Equal("second", (await NextAsync(received)).Name);
        }
        firstSubscription.Dispose();
        Assert.Equal(1, hub.ActiveTopics);
        secondSubscription.Dispose();
        Assert.Equal(0, hub.ActiveTopics);
    }

    private async Task<(ChannelReader<DealerView>, IDisposable)> WatchAsync(ChangeHub hub)
    {
        var grain = fixture.Grains.GetGrain<IDealerGrain>(Keys.Of(tenant, "D1"));
        var channel = Channel.CreateUnbounded<DealerView>();
        var observable = await hub.ObserveAsync(StreamNames.Dealer, Keys.Of(tenant, "D1"), () => grain.GetAsync());
        return (channel.Reader, observable.Subscribe(new Forward(channel.Writer)));
    }

    private static async Task<DealerView> NextAsync(ChannelReader<DealerView> reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadAsync(timeout.Token);
    }

    private sealed class Forward(ChannelWriter<DealerView> writer) : IObserver<DealerView>
    {
        public void OnCompleted() => writer.TryComplete();

        public void OnError(Exception error) => writer.TryComplete(error);

        public void OnNext(DealerView value) => writer.TryWrite(value);
    }
}
