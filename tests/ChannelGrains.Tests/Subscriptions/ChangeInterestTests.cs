using System.Collections.Concurrent;
using System.Threading.Channels;
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
        await scenario.ProductAsync("SKU-W", 100_000);
        await scenario.DealersAsync(dealers, ["SKU-W"]);
        var placed = 0;
        async Task<string> PlaceAsync(string dealer)
        {
            var id = $"{dealer}-{Interlocked.Increment(ref placed)}";
            OrderingScenario.Ok(await scenario.PlaceAsync(id, dealer, OrderingScenario.Line("SKU-W", 1)));
            return id;
        }

        var seen = new ConcurrentQueue<string>();
        var raw = await fixture.Cluster.Client.GetStreamProvider(StreamNames.Provider)
            .GetStream<object>(ChangeFeed.StreamOf(StreamNames.OrdersOfDealer, Keys.Of(tenant, dealers[0])))
            .SubscribeAsync((change, _) => { seen.Enqueue(((OrderView)change).Id); return Task.CompletedTask; });
        try
        {
            var skipped = false;
            for (var i = 0; i < 40 && !skipped; i++)
            {
                var id = await PlaceAsync(dealers[0]);
                await Task.Delay(300);
                skipped = !seen.Contains(id);
            }
            Assert.True(skipped, "every order of a dealer nobody watches was published");

            using var hub = new ChangeHub(fixture.Cluster.Client, NullLogger<ChangeHub>.Instance);
            string? watchedOrder = null; // the first dealer's, which the raw consumer listens to
            foreach (var dealer in dealers)
            {
                // Orders of every dealer keep each silo's copy of the watched keys fresh, without this dealer in it.
                foreach (var other in dealers) await PlaceAsync(other);
                await Task.Delay(ChangeInterest.RefreshAfter * 2);
                var before = await PlaceAsync(dealer);
                var changes = Channel.CreateUnbounded<OrderView>();
                var observable = await hub.ObserveAsync(StreamNames.OrdersOfDealer, Keys.Of(tenant, dealer),
                    async () => (await fixture.Grains.GetGrain<IDealerGrain>(Keys.Of(tenant, dealer)).ListLatestOrdersAsync(1)).Orders is [var latest]
                        ? await fixture.Grains.GetGrain<IOrderGrain>(Keys.Of(tenant, latest.Id)).GetAsync()
                        : null);
                using var subscription = observable.Subscribe(new To<OrderView>(view => changes.Writer.TryWrite(view)));

                // The first message is the latest order; every order placed or moved after the watch follows.
                var after = await PlaceAsync(dealer);
                await fixture.Grains.GetGrain<IOrderGrain>(Keys.Of(tenant, before)).CancelAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                Assert.Equal(before, (await changes.Reader.ReadAsync(timeout.Token)).Id);
                var next = new[] { await changes.Reader.ReadAsync(timeout.Token), await changes.Reader.ReadAsync(timeout.Token) };
                Assert.Equal(new[] { (after, OrderStatus.Confirmed), (before, OrderStatus.Cancelled) }.OrderBy(o => o.Item1, StringComparer.Ordinal),
                    next.Select(o => (o.Id, o.Status)).OrderBy(o => o.Id, StringComparer.Ordinal));
                watchedOrder ??= after;
            }
            await Eventually.HoldsAsync(() => watchedOrder is not null && seen.Contains(watchedOrder), "a watched dealer's order reached a raw consumer too");
        }
        finally
        {
            await raw.UnsubscribeAsync();
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

    private sealed class SlowAnswers(IChangeInterestGrain registry, TimeSpan delay) : IChangeInterestGrain
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

    private sealed class To<T>(Action<T> next) : IObserver<T>
    {
        public void OnCompleted() { }

        public void OnError(Exception error) { }

        public void OnNext(T value) => next(value);
    }
}
