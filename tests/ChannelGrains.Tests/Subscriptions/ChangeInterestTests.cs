using System.Collections.Concurrent;
using System.Threading.Channels;
using ChannelGrains.Api.Ordering;
using ChannelGrains.Api.Subscriptions;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;
using ChannelGrains.Tests.Ordering;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Streams;

namespace ChannelGrains.Tests.Subscriptions;

/// <summary>Dealer and order changes are published only while an Api process watches them, and never skipped once it does.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ChangeInterestTests(ClusterFixture fixture)
{
    private readonly string tenant = TestTenant.New();

    private IDealerGrain Dealer(string id) => fixture.Grains.GetGrain<IDealerGrain>(Keys.Of(tenant, id));

    private Task<DealerView> UpsertAsync(string id, string name) =>
        Dealer(id).UpsertAsync(new DealerInfo(id, name, "CN/East", DealerTier.Value, DealerStatus.Admitted, 100m, []));

    [Fact]
    public async Task An_unwatched_dealer_change_is_not_published_and_a_watched_one_always_is()
    {
        var seen = new ConcurrentQueue<string>();
        // A raw stream consumer is not a watcher: it sees only what producers publish.
        var raw = await fixture.Cluster.Client.GetStreamProvider(StreamNames.Provider)
            .GetStream<object>(ChangeFeed.StreamOf(StreamNames.Dealer, Keys.Of(tenant, "D1"))) // typed as the Api's hub types it
            .SubscribeAsync((change, _) => { seen.Enqueue(((DealerView)change).Name); return Task.CompletedTask; });
        try
        {
            // Silos publish everything until their copy of the watched keys is fresh: keep changing until one is skipped.
            var skipped = false;
            for (var i = 0; i < 40 && !skipped; i++)
            {
                await UpsertAsync("D1", $"unwatched-{i}");
                await Task.Delay(300);
                skipped = !seen.Contains($"unwatched-{i}");
            }
            Assert.True(skipped, "every change of a dealer nobody watches was published");

            using var hub = new ChangeHub(fixture.Cluster.Client, NullLogger<ChangeHub>.Instance);
            using var watching = (await hub.ObserveAsync(StreamNames.Dealer, Keys.Of(tenant, "D1"), () => Dealer("D1").GetAsync())).Subscribe(new To<DealerView>(_ => { }));
            for (var i = 0; i < 5; i++) await UpsertAsync("D1", $"watched-{i}");

            await Eventually.HoldsAsync(() => Enumerable.Range(0, 5).All(i => seen.Contains($"watched-{i}")), "every watched change was published");
        }
        finally
        {
            await raw.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task A_change_right_after_watching_reaches_the_subscriber_whichever_silo_makes_it()
    {
        var ids = Enumerable.Range(0, 10).Select(i => $"R{i}").ToArray();
        using var hub = new ChangeHub(fixture.Cluster.Client, NullLogger<ChangeHub>.Instance);
        foreach (var id in ids)
        {
            // Changes on both silos keep every silo's copy of the watched keys fresh, without this dealer in it.
            await Task.WhenAll(ids.Select(other => UpsertAsync(other, $"{other} before {id}")));
            await Task.Delay(ChangeInterest.RefreshAfter * 2);
            var changes = Channel.CreateUnbounded<DealerView>();
            var observable = await hub.ObserveAsync(StreamNames.Dealer, Keys.Of(tenant, id), () => Dealer(id).GetAsync());
            using var subscription = observable.Subscribe(new To<DealerView>(view => changes.Writer.TryWrite(view)));

            await UpsertAsync(id, $"{id} changed");

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while ((await changes.Reader.ReadAsync(timeout.Token)).Name != $"{id} changed") { }
        }
    }

    [Fact]
    public async Task An_unwatched_dealers_orders_are_not_published_and_a_watched_dealers_orders_always_are_from_the_latest_on()
    {
        var scenario = new OrderingScenario(new InProcessGraphQL(fixture.Grains, fixture.Cluster.Client), tenant);
        var dealers = Enumerable.Range(0, 6).Select(i => $"OD{i}").ToArray();
        var busy = Enumerable.Range(0, 8).Select(i => $"OB{i}").ToArray();
        await scenario.ProductAsync("SKU-W", 1_000_000);
        await scenario.DealersAsync([.. dealers, .. busy], ["SKU-W"]);
        var placed = 0;
        async Task<string> PlaceAsync(string dealer)
        {
            var id = $"{dealer}-{Interlocked.Increment(ref placed)}";
            OrderingScenario.Ok(await scenario.PlaceAsync(id, dealer, OrderingScenario.Line("SKU-W", 1)));
            return id;
        }

        // A raw stream consumer is not a watcher: it sees only what producers publish. The test's own marker, sent
        // after an order's publish (or its skip) returned, tells when that order would have arrived.
        var raw = Channel.CreateUnbounded<object>();
        var rawStream = fixture.Cluster.Client.GetStreamProvider(StreamNames.Provider)
            .GetStream<object>(ChangeFeed.StreamOf(StreamNames.OrdersOfDealer, Keys.Of(tenant, dealers[0])));
        var rawHandle = await rawStream.SubscribeAsync((change, _) => { raw.Writer.TryWrite(change); return Task.CompletedTask; });
        async Task<bool> PublishedAsync(string orderId)
        {
            var marker = $"marker-{orderId}";
            await rawStream.OnNextAsync(marker);
            var published = false;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            for (var change = await raw.Reader.ReadAsync(timeout.Token); !Equals(change, marker); change = await raw.Reader.ReadAsync(timeout.Token))
                published |= change is OrderView view && view.Id == orderId;
            return published;
        }

        using var producing = new CancellationTokenSource();
        Task? producer = null;
        try
        {
            // Silos publish everything until their copy of the watched keys is fresh: keep placing until one is skipped.
            var skipped = false;
            for (var i = 0; i < 40 && !skipped; i++) skipped = !await PublishedAsync(await PlaceAsync(dealers[0]));
            Assert.True(skipped, "every order of a dealer nobody watches was published");

            // Orders of other dealers on both silos keep every silo's copy fresh, without the watched dealer in it, so
            // that a change is published because the copy holds the key, not because it expired.
            producer = Task.Run(async () =>
            {
                for (var i = 0; !producing.IsCancellationRequested; i++)
                {
                    await Task.WhenAll(busy.Select(PlaceAsync));
                    await Task.Delay(20);
                }
            });
            await Task.Delay(ChangeInterest.RefreshAfter * 2);
            using var hub = new ChangeHub(fixture.Cluster.Client, NullLogger<ChangeHub>.Instance);
            foreach (var dealer in dealers)
            {
                var before = await PlaceAsync(dealer);
                var observing = hub.ObserveAsync(StreamNames.OrdersOfDealer, Keys.Of(tenant, dealer), () => OrderFields.LatestOrderAsync(fixture.Grains, tenant, dealer));
                var during = await PlaceAsync(dealer); // placed while the subscription starts: the latest order, so never missed
                var changes = Channel.CreateUnbounded<OrderView>();
                using var subscription = (await observing).Subscribe(new To<OrderView>(view => changes.Writer.TryWrite(view)));

                // Every order placed or moved after the start follows.
                var after = await PlaceAsync(dealer);
                await fixture.Grains.GetGrain<IOrderGrain>(Keys.Of(tenant, before)).CancelAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var first = await changes.Reader.ReadAsync(timeout.Token);
                Assert.Contains(first.Id, new[] { before, during }); // whichever was the latest done when read
                var expected = new HashSet<(string, OrderStatus)> { (during, OrderStatus.Confirmed), (after, OrderStatus.Confirmed), (before, OrderStatus.Cancelled) };
                expected.Remove((first.Id, first.Status));
                while (expected.Count > 0)
                {
                    OrderView next;
                    try
                    {
                        next = await changes.Reader.ReadAsync(timeout.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        throw new Xunit.Sdk.XunitException($"never delivered: {string.Join(", ", expected)}");
                    }
                    expected.Remove((next.Id, next.Status));
                }
                if (dealer == dealers[0]) Assert.True(await PublishedAsync(after), "a watched dealer's order did not reach a raw consumer");
            }
        }
        finally
        {
            await producing.CancelAsync();
            if (producer is not null) await producer;
            await rawHandle.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task A_watch_returns_only_once_a_silo_filters_by_a_copy_with_the_key_not_when_the_copy_is_sent()
    {
        // A silo whose answers from the registry take 300 ms to arrive: the registry hands out a version long before
        // this silo filters by it.
        var cache = new ChangeInterestCache(ns => new SlowAnswers(fixture.Grains.GetGrain<IChangeInterestGrain>(ns), TimeSpan.FromMilliseconds(300)),
            TimeProvider.System, NullLogger<ChangeInterestCache>.Instance);
        var unwatched = Keys.Of(tenant, "nobody");
        await Eventually.HoldsAsync(() => !cache.ShouldPublish(StreamNames.Dealer, unwatched), "the silo has a fresh copy and filters");
        using var producing = new CancellationTokenSource();
        // Its producers keep publishing, so it keeps reading the registry; dealers changing on both real silos keep
        // theirs reading too, so that a watch never waits long for them.
        var producer = Task.Run(async () =>
        {
            for (var i = 0; !producing.IsCancellationRequested; i++)
            {
                cache.ShouldPublish(StreamNames.Dealer, unwatched);
                if (i % 5 == 0) await Task.WhenAll(Enumerable.Range(0, 4).Select(d => UpsertAsync($"busy{d}", $"busy {i}")));
                await Task.Delay(20);
            }
        });
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var key = Keys.Of(tenant, $"W{i}");
                await fixture.Grains.GetGrain<IChangeInterestGrain>(StreamNames.Dealer).WatchAsync($"{tenant}-watcher-{i}", [key]);
                Assert.True(cache.ShouldPublish(StreamNames.Dealer, key), $"a change of {key} right after its watch returned would be skipped");
            }
        }
        finally
        {
            await producing.CancelAsync();
            await producer;
        }
    }
}
