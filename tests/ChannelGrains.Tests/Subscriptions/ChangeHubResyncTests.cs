using System.Threading.Channels;
using ChannelGrains.Analytics;
using ChannelGrains.Api.Subscriptions;
using ChannelGrains.Common;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChannelGrains.Tests.Subscriptions;

/// <summary>A subscriber to whole versioned states ends at the current state even when a stream message is lost.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ChangeHubResyncTests(ClusterFixture fixture)
{
    private const string Namespace = "resync-test"; // published always: not one of ChangeInterest.Filtered
    private readonly string key = TestTenant.New();
    private volatile ChannelSummaryView current = View(1, 0m);

    private static ChannelSummaryView View(long version, decimal sellOut) =>
        new("CN", "2026-11", new ChannelFigures { SellOutValue = sellOut }, DateTime.UtcNow, version);

    private async Task<(ChannelReader<ChannelSummaryView> Reader, IDisposable Subscription)> SubscribeAsync(ChangeHub hub)
    {
        var messages = Channel.CreateUnbounded<ChannelSummaryView>();
        var observable = await hub.ObserveAsync<ChannelSummaryView>(Namespace, key, () => Task.FromResult<ChannelSummaryView?>(current));
        return (messages.Reader, observable.Subscribe(new To(view => messages.Writer.TryWrite(view))));
    }

    private Task PublishAsync(ChannelSummaryView view) =>
        fixture.Cluster.Client.GetStreamProvider(StreamNames.Provider).GetStream<object>(ChangeFeed.StreamOf(Namespace, key)).OnNextAsync(view);

    private static async Task<ChannelSummaryView> NextAsync(ChannelReader<ChannelSummaryView> reader, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        return await reader.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task A_lost_last_change_is_read_again_shortly_after_the_last_change_delivered()
    {
        using var hub = new ChangeHub(fixture.Cluster.Client, NullLogger<ChangeHub>.Instance, TimeSpan.FromMilliseconds(300), TimeSpan.FromMinutes(10));
        var (reader, subscription) = await SubscribeAsync(hub);
        using var _ = subscription;
        Assert.Equal(1, (await NextAsync(reader, TimeSpan.FromSeconds(10))).Version);

        current = View(2, 20m);
        await PublishAsync(current);
        Assert.Equal(2, (await NextAsync(reader, TimeSpan.FromSeconds(10))).Version);

        current = View(3, 30m); // its stream message is lost
        var last = await NextAsync(reader, TimeSpan.FromSeconds(10));
        Assert.Equal((3, 30m), (last.Version, last.Figures.SellOutValue));
    }

    [Fact]
    public async Task A_lost_first_change_is_read_again_by_the_periodic_resync_and_an_unchanged_state_is_not_sent_again()
    {
        using var hub = new ChangeHub(fixture.Cluster.Client, NullLogger<ChangeHub>.Instance, TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(500));
        var (reader, subscription) = await SubscribeAsync(hub);
        using var _ = subscription;
        Assert.Equal(1, (await NextAsync(reader, TimeSpan.FromSeconds(10))).Version);

        current = View(2, 20m); // never published
        Assert.Equal(2, (await NextAsync(reader, TimeSpan.FromSeconds(10))).Version);

        await Task.Delay(TimeSpan.FromSeconds(2)); // four more resyncs of an unchanged state
        Assert.False(reader.TryRead(out var extra), $"version {extra?.Version} was passed on again");
    }

    private sealed class To(Action<ChannelSummaryView> next) : IObserver<ChannelSummaryView>
    {
        public void OnCompleted() { }

        public void OnError(Exception error) { }

        public void OnNext(ChannelSummaryView value) => next(value);
    }
}
