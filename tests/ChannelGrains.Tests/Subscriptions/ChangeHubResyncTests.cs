using System.Threading.Channels;
using ChannelGrains.Analytics;
using ChannelGrains.Api.Subscriptions;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
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

    /// <summary>A hub with these resync delays, subscribed to the topic, past its first message (the current value, version 1).</summary>
    private async Task<Watching> WatchAsync(TimeSpan settleAfter, TimeSpan resyncEvery)
    {
        var hub = Hub(settleAfter, resyncEvery);
        var messages = Channel.CreateUnbounded<ChannelSummaryView>();
        var observable = await hub.ObserveAsync<ChannelSummaryView>(Namespace, key, () => Task.FromResult<ChannelSummaryView?>(current));
        var watching = new Watching(hub, messages.Reader, observable.Subscribe(new To<ChannelSummaryView>(view => messages.Writer.TryWrite(view))));
        Assert.Equal(1, (await watching.NextAsync()).Version);
        return watching;
    }

    private Task PublishAsync(object change) =>
        fixture.Cluster.Client.GetStreamProvider(StreamNames.Provider).GetStream<object>(ChangeFeed.StreamOf(Namespace, key)).OnNextAsync(change);

    [Fact]
    public async Task A_lost_last_change_is_read_again_shortly_after_the_last_change_delivered()
    {
        using var watching = await WatchAsync(settleAfter: TimeSpan.FromMilliseconds(300), resyncEvery: TimeSpan.FromMinutes(10));

        current = View(2, 20m);
        await PublishAsync(current);
        Assert.Equal(2, (await watching.NextAsync()).Version);

        current = View(3, 30m); // its stream message is lost
        var last = await watching.NextAsync();
        Assert.Equal((3, 30m), (last.Version, last.Figures.SellOutValue));
    }

    [Fact]
    public async Task A_lost_first_change_is_read_again_by_the_periodic_resync_and_an_unchanged_state_is_not_sent_again()
    {
        using var watching = await WatchAsync(settleAfter: TimeSpan.FromMinutes(10), resyncEvery: TimeSpan.FromMilliseconds(500));

        current = View(2, 20m); // never published
        Assert.Equal(2, (await watching.NextAsync()).Version);

        await Task.Delay(TimeSpan.FromSeconds(2)); // four more resyncs of an unchanged state
        Assert.False(watching.Reader.TryRead(out var extra), $"version {extra?.Version} was passed on again");
    }

    [Fact]
    public async Task A_subscription_that_started_with_no_current_value_still_reads_it_again()
    {
        using var hub = Hub(TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(500));
        var messages = Channel.CreateUnbounded<ChannelSummaryView>();
        ChannelSummaryView? value = null; // nothing to start with
        var observable = await hub.ObserveAsync(Namespace, key, () => Task.FromResult(value));
        using var subscription = observable.Subscribe(new To<ChannelSummaryView>(view => messages.Writer.TryWrite(view)));
        Assert.False(messages.Reader.TryRead(out _));

        value = View(2, 20m); // its stream message is lost
        Assert.Equal(2, (await NextAsync(messages.Reader)).Version);
    }

    [Fact]
    public async Task In_a_feed_of_several_sources_a_lost_change_of_a_source_passed_on_before_is_read_again_until_final_and_not_sent_to_one_that_never_had_it()
    {
        // Only the latest order counts as the newest: A is read again because it was passed on.
        var orders = OrdersAB(newest: 1);
        using var hub = Hub(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(500));

        using var early = await SubscribeToOrdersAsync(hub, orders);
        Assert.Equal("B", (await NextAsync(early)).Id); // the latest, as the current value
        await PublishAsync(orders.Read("A")!);
        Assert.Equal("A", (await NextAsync(early)).Id);
        using var late = await SubscribeToOrdersAsync(hub, orders); // never had A
        Assert.Equal("B", (await NextAsync(late)).Id);

        orders.Set(Order("A", OrderStatus.Shipped, 2)); // its stream message is lost
        await NextIsAsync(early, "A", OrderStatus.Shipped);

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // several more re-reads
        Assert.False(early.Reader.TryRead(out var extra), $"{extra?.Id} v{extra?.Version} was passed on again");
        Assert.False(late.Reader.TryRead(out extra), $"{extra?.Id} v{extra?.Version} was passed on to a subscription that never had it");

        orders.Set(Order("A", OrderStatus.Received, 3)); // lost too, and final
        await NextIsAsync(early, "A", OrderStatus.Received);
        var readsWhenFinal = orders.ReadsOf("A");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.True(orders.ReadsOf("A") <= readsWhenFinal + 1, "an order that changes no more was still read again"); // one round may have been under way
    }

    [Fact]
    public async Task In_a_feed_of_several_sources_a_lost_new_source_is_read_again_and_one_from_before_the_start_only_once_it_changed()
    {
        // C is still being placed when the subscriptions start; D is placed after.
        var orders = OrdersAB(newest: 8);
        orders.Place("C");
        using var hub = Hub(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(500));
        using var messages = await SubscribeToOrdersAsync(hub, orders);
        Assert.Equal("B", (await NextAsync(messages)).Id);

        orders.Set(Order("C", OrderStatus.Confirmed, 1)); // its stream message is lost
        var d = Order("D", OrderStatus.Confirmed, 1);
        orders.Set(d);
        await PublishAsync(d);
        // D by the stream or a re-read, whichever comes first; C, no longer the latest, by a re-read.
        Assert.Equal(["C", "D"], new[] { (await NextAsync(messages)).Id, (await NextAsync(messages)).Id }.Order(StringComparer.Ordinal));

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // several more re-reads
        Assert.False(messages.Reader.TryRead(out var extra), $"{extra?.Id} v{extra?.Version} was passed on though it did not change since the start");

        orders.Set(Order("A", OrderStatus.Shipped, 2)); // placed before the start, shipped after it; its stream message is lost
        await NextIsAsync(messages, "A", OrderStatus.Shipped);
    }

    [Fact]
    public async Task In_a_feed_of_several_sources_a_change_of_an_older_source_while_the_subscription_starts_arrives_after_the_first_message()
    {
        var orders = OrdersAB(newest: 8);
        using var hub = Hub(TimeSpan.FromMilliseconds(300), TimeSpan.FromMinutes(10));

        // Shipped while the subscription starts, when its stream message would not reach it (not yet watched).
        using var messages = await SubscribeToOrdersAsync(hub, orders, whileStarting: () => orders.Set(Order("A", OrderStatus.Shipped, 2)));

        Assert.Equal("B", (await NextAsync(messages)).Id);
        await NextIsAsync(messages, "A", OrderStatus.Shipped);
    }

    [Fact]
    public async Task A_message_delivered_while_another_subscription_to_the_topic_starts_reaches_that_one_too()
    {
        var orders = OrdersAB(newest: 8);
        // No re-read in this test: only the stream delivers.
        using var hub = Hub(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10));
        using var first = await SubscribeToOrdersAsync(hub, orders);
        Assert.Equal("B", (await NextAsync(first)).Id);

        var readingNewest = new TaskCompletionSource();
        var newestRead = new TaskCompletionSource();
        var starting = SubscribeToOrdersAsync(hub, orders, readingNewest: () =>
        {
            readingNewest.SetResult();
            return newestRead.Task;
        });
        await readingNewest.Task;
        var shipped = Order("A", OrderStatus.Shipped, 2);
        orders.Set(shipped);
        await PublishAsync(shipped);
        await NextIsAsync(first, "A", OrderStatus.Shipped);
        newestRead.SetResult();
        using var second = await starting;

        Assert.Equal("B", (await NextAsync(second)).Id);
        await NextIsAsync(second, "A", OrderStatus.Shipped);
    }

    [Fact]
    public async Task A_topic_that_changes_all_the_time_is_still_read_again_periodically()
    {
        // Only the latest order counts as the newest: A is read again because it was passed on.
        var orders = OrdersAB(newest: 1);
        // Changes every 100 ms would put off a re-read 300 ms after the last one for good.
        using var hub = Hub(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(600));
        using var messages = await SubscribeToOrdersAsync(hub, orders);
        await PublishAsync(orders.Read("A")!);
        while ((await NextAsync(messages)).Id != "A") { }

        orders.Set(Order("A", OrderStatus.Shipped, 2)); // its stream message is lost
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var version = 2; ; version++)
        {
            var b = Order("B", OrderStatus.Confirmed, version);
            orders.Set(b);
            await PublishAsync(b);
            await Task.Delay(100, timeout.Token);
            while (messages.Reader.TryRead(out var message))
                if (message.Id == "A") return; // healed while B kept changing
        }
    }

    private ChangeHub Hub(TimeSpan settleAfter, TimeSpan resyncEvery) => new(fixture.Cluster.Client, NullLogger<ChangeHub>.Instance, settleAfter, resyncEvery);

    /// <summary>A dealer's orders A and B, confirmed, B the latest.</summary>
    private static Orders OrdersAB(int newest) => new(newest, Order("A", OrderStatus.Confirmed, 1), Order("B", OrderStatus.Confirmed, 1));

    private static Task<OrderView> NextAsync(OrderFeed feed) => NextAsync(feed.Reader);

    private static async Task NextIsAsync(OrderFeed feed, string id, OrderStatus status)
    {
        var next = await NextAsync(feed);
        Assert.Equal((id, status), (next.Id, next.Status));
    }

    private static OrderView Order(string id, OrderStatus status, long version) => new(id, "D1", status, [], 10m, DateTime.UtcNow, version);

    /// <summary>
    /// A subscription to the topic as a dealer's orders: starting with the latest, reading the newest ones and each order
    /// by id again. <paramref name="whileStarting"/> runs as it reads the latest to start with, after the newest;
    /// <paramref name="readingNewest"/> is awaited as it first reads the newest.
    /// </summary>
    private async Task<OrderFeed> SubscribeToOrdersAsync(ChangeHub hub, Orders orders,
        Action? whileStarting = null, Func<Task>? readingNewest = null)
    {
        var messages = Channel.CreateUnbounded<OrderView>();
        var observable = await hub.ObserveAsync(Namespace, key, () =>
            {
                Interlocked.Exchange(ref whileStarting, null)?.Invoke();
                return Task.FromResult(orders.Newest().LastOrDefault());
            },
            new SourceReaders<OrderView>(async () =>
            {
                if (Interlocked.Exchange(ref readingNewest, null) is { } reading) await reading();
                return orders.Newest();
            }, id => Task.FromResult(orders.Read(id))));
        return new OrderFeed(messages.Reader, observable.Subscribe(new To<OrderView>(view => messages.Writer.TryWrite(view))));
    }

    private static async Task<T> NextAsync<T>(ChannelReader<T> reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadAsync(timeout.Token);
    }

    /// <summary>
    /// A dealer's orders as their grains would answer: in the order placed, null while being placed; counting the reads
    /// of each by id. The newest are the last <paramref name="newest"/> placed, without those still being placed.
    /// </summary>
    private sealed class Orders
    {
        private readonly int newest;
        private readonly List<string> placed = [];
        private readonly Dictionary<string, OrderView?> current = [];
        private readonly Dictionary<string, int> reads = [];

        public Orders(int newest, params OrderView[] initial)
        {
            this.newest = newest;
            foreach (var order in initial) Set(order);
        }

        public OrderView? Read(string id)
        {
            lock (current)
            {
                reads[id] = reads.GetValueOrDefault(id) + 1;
                return current.GetValueOrDefault(id);
            }
        }

        public IReadOnlyList<OrderView> Newest()
        {
            lock (current) return placed.TakeLast(newest).Select(id => current[id]).OfType<OrderView>().ToArray();
        }

        public void Place(string id)
        {
            lock (current)
            {
                placed.Add(id);
                current[id] = null;
            }
        }

        public void Set(OrderView order)
        {
            lock (current)
            {
                if (!current.ContainsKey(order.Id)) placed.Add(order.Id);
                current[order.Id] = order;
            }
        }

        public int ReadsOf(string id)
        {
            lock (current) return reads.GetValueOrDefault(id);
        }
    }

    private sealed record Watching(ChangeHub Hub, ChannelReader<ChannelSummaryView> Reader, IDisposable Subscription) : IDisposable
    {
        public Task<ChannelSummaryView> NextAsync() => ChangeHubResyncTests.NextAsync(Reader);

        public void Dispose()
        {
            Subscription.Dispose();
            Hub.Dispose();
        }
    }

    /// <summary>One subscription to the orders topic and the messages it received.</summary>
    private sealed record OrderFeed(ChannelReader<OrderView> Reader, IDisposable Subscription) : IDisposable
    {
        public void Dispose() => Subscription.Dispose();
    }
}
