using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;
using ChannelGrains.Silo.Hosting;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace ChannelGrains.Tests.Ordering;

/// <summary>
/// Rule 2 when a silo dies mid-order: on a three-silo cluster with its state in PostgreSQL, a silo is killed while
/// hundreds of three-line orders are in flight. Afterwards every product's reserved stock equals exactly what the
/// standing orders hold, whether an interrupted order was finished by a retry or compensated by the reservation audit.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SagaCrashTests(PostgresServer postgres, ITestOutputHelper output)
{
    // Orders go in a window of InFlight at a time until the kill, so that a full window is still in flight when it
    // lands: all at once, group commit moved them in lockstep and the last ones could finish before the kill did.
    private const int Orders = 1_000, InFlight = 100, KillAfter = 30;
    private static readonly string[] Skus = ["P0", "P1", "P2", "P3", "P4", "P5"];

    [Fact]
    public async Task Silo_killed_mid_saga_leaves_no_stray_reservation_and_loses_no_confirmed_order()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 3);
        builder.Properties["ConnectionStrings:Channel"] = await postgres.CreateDatabaseAsync();
        builder.Properties["Ordering:AuditReservationsAfter"] = "00:00:02";
        builder.Properties["Ordering:AuditPeriod"] = "00:00:02";
        builder.AddSiloBuilderConfigurator<DurableSilo>();
        builder.AddClientBuilderConfigurator<StreamClient>();
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var tenant = TestTenant.New();
        var grains = cluster.Client;
        foreach (var sku in Skus)
        {
            await grains.GetGrain<IProductGrain>(Keys.Of(tenant, sku)).UpsertAsync(new ProductInfo(sku, sku, 10m, 5m));
            await grains.GetGrain<IProductGrain>(Keys.Of(tenant, sku)).AdjustStockAsync(100_000, "received");
        }
        var dealers = Enumerable.Range(0, 20).Select(i => $"D{i}").ToArray();
        await new DealerRegistry(grains).UpsertAsync(tenant, dealers
            .Select(d => new DealerInfo(d, d, "CN/East", DealerTier.Value, DealerStatus.Admitted, 10_000_000m, Skus)).ToArray());

        var random = new Random(7);
        var orders = Enumerable.Range(0, Orders).Select(i => new PlaceOrder($"O{i}", dealers[i % dealers.Length],
            Skus.OrderBy(_ => random.Next()).Take(3).Select(s => new OrderLineInput(s, random.Next(1, 20), null, null)).ToArray())).ToArray();
        var confirmed = 0;
        var victim = cluster.SecondarySilos[0];
        var killed = new TaskCompletionSource();
        using var window = new SemaphoreSlim(InFlight);
        var outcomes = orders.Select(async order =>
        {
            await window.WaitAsync();
            try
            {
                await grains.GetGrain<IOrderGrain>(Keys.Of(tenant, order.RequestId)).PlaceAsync(order);
                if (Interlocked.Increment(ref confirmed) == KillAfter) killed.TrySetResult();
                return true;
            }
            catch (Exception)
            {
                return false;
            }
            finally
            {
                window.Release();
            }
        }).ToArray();
        await killed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await cluster.KillSiloAsync(victim);
        window.Release(Orders); // the orders not sent yet go at once
        var acknowledged = await Task.WhenAll(outcomes);
        var interrupted = orders.Where((_, i) => !acknowledged[i]).ToArray();
        output.WriteLine($"{acknowledged.Count(a => a)} orders acknowledged, {interrupted.Length} interrupted by the kill");
        Assert.NotEmpty(interrupted);

        // Half of the interrupted orders are retried by their clients; the rest are left to the reservation audit.
        foreach (var order in interrupted.Where((_, i) => i % 2 == 0))
            await grains.GetGrain<IOrderGrain>(Keys.Of(tenant, order.RequestId)).PlaceAsync(order);

        await Eventually.TrueAsync(async () => (await MismatchesAsync(grains, tenant, orders)).Count == 0, TimeSpan.FromSeconds(90),
            async () => string.Join("; ", await MismatchesAsync(grains, tenant, orders)));
        foreach (var (order, i) in orders.Select((o, i) => (o, i)).Where(x => acknowledged[x.i]))
            Assert.Equal(OrderStatus.Confirmed, (await grains.GetGrain<IOrderGrain>(Keys.Of(tenant, order.RequestId)).GetAsync())?.Status);
    }

    /// <summary>Where reserved stock or used credit differs from what the standing orders hold.</summary>
    private static async Task<List<string>> MismatchesAsync(IGrainFactory grains, string tenant, IReadOnlyList<PlaceOrder> orders)
    {
        var standing = new List<PlaceOrder>();
        decimal Total(PlaceOrder o) => o.Lines.Sum(l => l.Quantity * 10m);
        foreach (var order in orders)
            if ((await grains.GetGrain<IOrderGrain>(Keys.Of(tenant, order.RequestId)).GetAsync())?.Status == OrderStatus.Confirmed) standing.Add(order);
        var mismatches = new List<string>();
        foreach (var sku in Skus)
        {
            var expected = standing.SelectMany(o => o.Lines).Where(l => l.Sku == sku).Sum(l => l.Quantity);
            var reserved = (await grains.GetGrain<IProductGrain>(Keys.Of(tenant, sku)).GetAsync())!.Reserved;
            if (reserved != expected) mismatches.Add($"{sku} reserved {reserved}, standing orders hold {expected}");
        }
        foreach (var dealer in orders.Select(o => o.DealerId).Distinct())
        {
            var expected = standing.Where(o => o.DealerId == dealer).Sum(Total);
            var used = (await grains.GetGrain<IDealerGrain>(Keys.Of(tenant, dealer)).GetAsync())!.CreditUsed;
            if (used != expected) mismatches.Add($"{dealer} credit used {used}, standing orders {expected}");
        }
        return mismatches;
    }

    private sealed class DurableSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddChannelProviders(silo.Configuration.GetConnectionString("Channel"), silo.Configuration);
            silo.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        }
    }

    private sealed class StreamClient : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder client) => client.AddMemoryStreams(StreamNames.Provider);
    }
}
