using ChannelGrains.Approvals;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;
using ChannelGrains.Silo.Hosting;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Ordering;

/// <summary>
/// Rules 2, 4 and 7 with each silo's copies of the products' prices (ProductPrices): a copy may be stale, and prices may
/// change between an order's pricing and its reservations; what an order answers or holds must not depend on either.
/// </summary>
public sealed class PriceCopyTests
{
    /// <summary>
    /// Rule 4: a line at or above its product's floor is placed. The silo's copy of the prices still holds the floor
    /// before it was lowered: a refusal by that copy is no refusal by the product, and a retry gets the same wrong answer
    /// as long as the copy stays (no order on this silo reaches a reservation at those prices to have it forgotten).
    /// </summary>
    [Fact]
    public async Task A_line_above_a_lowered_floor_is_placed_though_this_silos_copy_holds_the_old_floor()
    {
        await using var cluster = await OwnCluster<PriceCopySilo>.StartAsync(silos: 1);
        var tenant = TestTenant.New();
        var product = cluster.Client.GetGrain<IProductGrain>(Keys.Of(tenant, "P1"));
        await product.UpsertAsync(new ProductInfo("P1", "P1", 10m, 8m));
        await product.AdjustStockAsync(100, "received");
        await cluster.Client.GetGrain<IDealerGrain>(Keys.Of(tenant, "D"))
            .UpsertAsync(new DealerInfo("D", "Dealer D", "CN/East/Shanghai", DealerTier.Value, DealerStatus.Admitted, 1_000m, ["P1"]));
        await PlaceAsync(cluster, tenant, new PlaceOrder("R1", "D", [new("P1", 1, 9m, null)])); // this silo now holds 10/8

        await product.UpsertAsync(new ProductInfo("P1", "P1", 10m, 6m));
        var placed = await PlaceAsync(cluster, tenant, new PlaceOrder("R2", "D", [new("P1", 1, 7m, null)]));

        Assert.Equal((OrderStatus.Confirmed, 7m), (placed.Status, placed.Total));
        Assert.Equal(2, (await product.GetAsync())!.Reserved);
    }

    /// <summary>
    /// Rules 4 and 7: a placement whose product's prices changed before its reservation prices itself again; when that
    /// pricing fails after reading the new prices (here the tenant's settings cannot be read), a retry of the request in
    /// the same activation must not place the lines of the first pricing, now below the floor, as checked by the new
    /// prices.
    /// </summary>
    [Fact]
    public async Task A_retry_after_a_failed_pricing_does_not_place_the_lines_of_the_pricing_before()
    {
        await using var cluster = await OwnCluster<PriceCopySilo>.StartAsync(silos: 1);
        var tenant = TestTenant.New();
        var dealer = await TwoProducts.SeedAsync(cluster, tenant, PriceCopySilo.ChangedSku);
        var request = new PlaceOrder($"{PriceCopySilo.FailingOrder}1", "D", [new("P1", 4, null, null), new(PriceCopySilo.ChangedSku, 1, null, null)]);
        var order = cluster.Client.GetGrain<IOrderGrain>(Keys.Of(tenant, request.RequestId));

        // Before P2's reservation its prices go to 12/11, and the pricing again fails reading the tenant's settings.
        await Assert.ThrowsAnyAsync<Exception>(() => order.PlaceAsync(request));
        var retried = await order.PlaceAsync(request);

        Assert.Equal(12m, retried.Lines.Single(l => l.Sku == PriceCopySilo.ChangedSku).UnitPrice); // not 10, below the floor of 11
        Assert.Equal(52m, retried.Total);
        Assert.Equal(52m, (await dealer.GetAsync())!.CreditUsed);
    }

    /// <summary>
    /// The dealer's hold takes the lines of the order's last pricing: here two products' prices move so that the total
    /// stays the same, and the hold kept the first pricing's lines, so the dealer's sell-in by SKU was not the order's.
    /// </summary>
    [Fact]
    public async Task The_dealers_hold_takes_the_new_lines_when_a_new_pricing_keeps_the_total()
    {
        await using var cluster = await OwnCluster<PriceCopySilo>.StartAsync(silos: 1);
        var tenant = TestTenant.New();
        var dealer = await TwoProducts.SeedAsync(cluster, tenant, PriceCopySilo.ChangedSku);
        var request = new PlaceOrder($"{PriceCopySilo.SwappedOrder}1", "D", [new("P1", 1, null, null), new(PriceCopySilo.ChangedSku, 1, null, null)]);

        var placed = await PlaceAsync(cluster, tenant, request);

        Assert.Equal((11m, 9m, 20m), (placed.Lines.Single(l => l.Sku == "P1").UnitPrice, placed.Lines.Single(l => l.Sku == PriceCopySilo.ChangedSku).UnitPrice, placed.Total));
        var storage = Assert.IsType<InProcessSiloHandle>(cluster.Primary).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(ChannelGrains.Common.StorageNames.Channel);
        var stored = await StoredDealer.ReadAsync(storage, dealer);
        Assert.Equal(placed.Lines, stored.OpenOrders[request.RequestId].Lines);
        var month = stored.Months[Period.MonthKey(placed.PlacedAt)];
        Assert.Equal((11m, 9m), (month.Skus["P1"].OrderValue, month.Skus[PriceCopySilo.ChangedSku].OrderValue));
    }

    /// <summary>
    /// Rules 2, 4 and 7 when a product's prices change between the order's pricing and its reservation at every one of
    /// them: the placement prices itself again from the products a bounded number of times, then refuses with
    /// VALIDATION, holding neither stock nor credit, and a retry of the request gets the same refusal.
    /// </summary>
    [Fact]
    public async Task An_order_whose_prices_change_at_every_reservation_is_refused_after_three_pricings_and_holds_nothing()
    {
        await using var cluster = await OwnCluster<PriceCopySilo>.StartAsync(silos: 1);
        var tenant = TestTenant.New();
        var dealer = await TwoProducts.SeedAsync(cluster, tenant, PriceCopySilo.ChangedSku);
        var steadyProduct = cluster.Client.GetGrain<IProductGrain>(Keys.Of(tenant, "P1"));
        var churnedProduct = cluster.Client.GetGrain<IProductGrain>(Keys.Of(tenant, PriceCopySilo.ChangedSku));
        OrderLineInput[] lines = [new("P1", 4, null, null), new(PriceCopySilo.ChangedSku, 1, null, null)];
        var churned = new PlaceOrder($"{PriceCopySilo.ChurnedOrder}1", "D", lines);
        var order = cluster.Client.GetGrain<IOrderGrain>(Keys.Of(tenant, churned.RequestId));

        var refused = await Assert.ThrowsAsync<ChannelException>(() => order.PlaceAsync(churned));
        var retried = await Assert.ThrowsAsync<ChannelException>(() => order.PlaceAsync(churned));

        Assert.Equal(ErrorCodes.Validation, refused.Code);
        Assert.Equal((refused.Code, refused.Message), (retried.Code, retried.Message));
        // P1 is reserved first (lines go in SKU order) and released again each time P2's prices differ.
        Assert.Equal(0, (await steadyProduct.GetAsync())!.Reserved);
        var churnedNow = (await churnedProduct.GetAsync())!;
        Assert.Equal((13m, 0), (churnedNow.ListPrice, churnedNow.Reserved)); // a price change before each of the 3 reservations asked
        Assert.Equal(0m, (await dealer.GetAsync())!.CreditUsed);
        Assert.Equal(53m, (await PlaceAsync(cluster, tenant, new PlaceOrder("R2", "D", lines))).Total);
    }

    private static Task<OrderView> PlaceAsync(TestCluster cluster, string tenant, PlaceOrder order) =>
        cluster.Client.GetGrain<IOrderGrain>(Keys.Of(tenant, order.RequestId)).PlaceAsync(order);
}

/// <summary>
/// A silo on which, for an order whose id starts with <see cref="FailingOrder"/>, the prices of <see cref="ChangedSku"/>
/// go to 12/11 just before its first reservation and the next read of the tenant's settings fails; and for an order
/// whose id starts with <see cref="SwappedOrder"/>, P1 goes up by one and <see cref="ChangedSku"/> down by one just before
/// P1's first reservation; and for an order whose id starts with <see cref="ChurnedOrder"/>, the list price of
/// <see cref="ChangedSku"/> goes up by one just before each of its reservations.
/// </summary>
public sealed class PriceCopySilo : ISiloConfigurator
{
    public const string FailingOrder = "fail-";

    public const string SwappedOrder = "swap-";

    public const string ChurnedOrder = "churn-";

    public const string ChangedSku = "P2";

    public void Configure(ISiloBuilder silo)
    {
        silo.AddChannelProviders(connectionString: null, silo.Configuration);
        silo.Services.AddSingleton<Changes>();
        silo.AddOutgoingGrainCallFilter<Change>();
    }

    private sealed class Changes
    {
        public readonly HashSet<string> Done = [];

        public bool FailSettings;
    }

    private sealed class Change(IGrainFactory grains, Changes changes, TenantSettingsCache settings) : IOutgoingGrainCallFilter
    {
        public async Task Invoke(IOutgoingGrainCallContext call)
        {
            var key = call.TargetId.Key.ToString()!;
            if (call.InterfaceMethod.DeclaringType == typeof(ITenantSettingsGrain) && changes.FailSettings)
            {
                changes.FailSettings = false;
                throw new InvalidOperationException("The tenant's settings cannot be read now.");
            }
            if (call.InterfaceMethod.Name == nameof(IProductGrain.ReserveAsync) && call.Request.GetArgument(0) is string orderId)
            {
                var tenant = key[..key.IndexOf('/', StringComparison.Ordinal)];
                if (orderId.StartsWith(FailingOrder, StringComparison.Ordinal) && key.EndsWith($"/{ChangedSku}", StringComparison.Ordinal) && changes.Done.Add(orderId))
                {
                    await grains.GetGrain<IProductGrain>(key).UpsertAsync(new ProductInfo(ChangedSku, ChangedSku, 12m, 11m));
                    settings.Forget(tenant);
                    changes.FailSettings = true;
                }
                if (orderId.StartsWith(ChurnedOrder, StringComparison.Ordinal) && key.EndsWith($"/{ChangedSku}", StringComparison.Ordinal))
                {
                    var product = grains.GetGrain<IProductGrain>(key);
                    var now = (await product.GetAsync())!;
                    await product.UpsertAsync(new ProductInfo(now.Sku, now.Name, now.ListPrice + 1m, now.FloorPrice));
                }
                if (orderId.StartsWith(SwappedOrder, StringComparison.Ordinal) && key.EndsWith("/P1", StringComparison.Ordinal) && changes.Done.Add(orderId))
                {
                    await grains.GetGrain<IProductGrain>(key).UpsertAsync(new ProductInfo("P1", "P1", 11m, 5m));
                    await grains.GetGrain<IProductGrain>(Keys.Of(tenant, ChangedSku)).UpsertAsync(new ProductInfo(ChangedSku, ChangedSku, 9m, 5m));
                }
            }
            await call.Invoke();
        }
    }
}

/// <summary>Products P1 and another at list 10 / floor 5 with 100 units each, and dealer D authorised for both.</summary>
internal static class TwoProducts
{
    public static async Task<IDealerGrain> SeedAsync(TestCluster cluster, string tenant, string other)
    {
        foreach (var sku in new[] { "P1", other })
        {
            var product = cluster.Client.GetGrain<IProductGrain>(Keys.Of(tenant, sku));
            await product.UpsertAsync(new ProductInfo(sku, sku, 10m, 5m));
            await product.AdjustStockAsync(100, "received");
        }
        var dealer = cluster.Client.GetGrain<IDealerGrain>(Keys.Of(tenant, "D"));
        await dealer.UpsertAsync(new DealerInfo("D", "Dealer D", "CN/East/Shanghai", DealerTier.Value, DealerStatus.Admitted, 1_000m, ["P1", other]));
        return dealer;
    }
}
