using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;
using ChannelGrains.Silo.Hosting;
using ChannelGrains.Tests.Infrastructure;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Ordering;

/// <summary>
/// Rules 2, 4 and 7 when a product's prices change between an order's pricing and its reservation, at every one of
/// them: the placement prices itself again from the products a bounded number of times, then refuses with VALIDATION,
/// holding neither stock nor credit, and a retry of the request gets the same refusal.
/// </summary>
public sealed class PriceChurnTests
{
    [Fact]
    public async Task An_order_whose_prices_change_at_every_reservation_is_refused_after_three_pricings_and_holds_nothing()
    {
        await using var cluster = await OwnCluster<PriceChurnSilo>.StartAsync(silos: 1);
        var tenant = TestTenant.New();
        var dealer = await TwoProducts.SeedAsync(cluster, tenant, PriceChurnSilo.ChurnedSku);
        var steadyProduct = cluster.Client.GetGrain<IProductGrain>(Keys.Of(tenant, "P1"));
        var churnedProduct = cluster.Client.GetGrain<IProductGrain>(Keys.Of(tenant, PriceChurnSilo.ChurnedSku));
        OrderLineInput[] lines = [new("P1", 4, null, null), new(PriceChurnSilo.ChurnedSku, 1, null, null)];
        var churned = new PlaceOrder($"{PriceChurnSilo.ChurnedOrder}1", "D", lines);
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
        var steady = cluster.Client.GetGrain<IOrderGrain>(Keys.Of(tenant, "R2"));
        Assert.Equal(53m, (await steady.PlaceAsync(new PlaceOrder("R2", "D", lines))).Total);
    }
}

/// <summary>
/// A silo on which the list price of <see cref="ChurnedSku"/> goes up by one just before each of its reservations for an
/// order whose id starts with <see cref="ChurnedOrder"/>.
/// </summary>
public sealed class PriceChurnSilo : ISiloConfigurator
{
    public const string ChurnedOrder = "churn-";

    public const string ChurnedSku = "P2";

    public void Configure(ISiloBuilder silo)
    {
        silo.AddChannelProviders(connectionString: null, silo.Configuration);
        silo.AddOutgoingGrainCallFilter<Churn>();
    }

    private sealed class Churn(IGrainFactory grains) : IOutgoingGrainCallFilter
    {
        public async Task Invoke(IOutgoingGrainCallContext call)
        {
            var key = call.TargetId.Key.ToString()!;
            if (call.InterfaceMethod.Name == nameof(IProductGrain.ReserveAsync) && call.Request.GetArgument(0) is string orderId
                && orderId.StartsWith(ChurnedOrder, StringComparison.Ordinal) && key.EndsWith($"/{ChurnedSku}", StringComparison.Ordinal))
            {
                var product = grains.GetGrain<IProductGrain>(key);
                var now = (await product.GetAsync())!;
                await product.UpsertAsync(new ProductInfo(now.Sku, now.Name, now.ListPrice + 1m, now.FloorPrice));
            }
            await call.Invoke();
        }
    }
}
