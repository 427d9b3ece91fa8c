using ChannelGrains.Common;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;

namespace ChannelGrains.Api.Demo;

/// <summary>
/// The live operations of the demo, made with the grain calls the GraphQL mutations make (placeOrder, shipOrder,
/// receiveOrder, reportSellOut): every rule applies, and the dashboard sees them as it sees an integrator's.
/// </summary>
public sealed class DemoOperations(IGrainFactory grains, DemoChannel channel, string tenant, TimeProvider clock)
{
    /// <summary>Share of sell-out lines sold to a store in another big region (串货).</summary>
    public const double CrossRegionShare = 0.03;

    /// <summary>An order of the dealer's usual size, or worth about <paramref name="value"/>.</summary>
    public Task<OrderView> PlaceAsync(DemoDealer dealer, string orderId, Random random, decimal? value = null) =>
        Order(orderId).PlaceAsync(new PlaceOrder(orderId, dealer.Info.Id, channel.OrderLines(dealer, value ?? dealer.OrderValue, random)));

    public Task<OrderView> ShipAsync(string orderId) => Order(orderId).ShipAsync();

    public Task<OrderView> ReceiveAsync(string orderId) => Order(orderId).ReceiveAsync();

    /// <summary>
    /// Sells about <paramref name="share"/> (2–10% when not given) of what the dealer holds of a few SKUs to stores of its
    /// city, now and then elsewhere; false when it holds nothing.
    /// </summary>
    public async Task<bool> SellOutAsync(DemoDealer dealer, string requestId, Random random, double? share = null)
    {
        var dealerGrain = grains.GetGrain<IDealerGrain>(Keys.Of(tenant, dealer.Info.Id));
        var view = await dealerGrain.GetAsync();
        var held = view?.Inventory.Where(s => s.OnHand > 0).OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToArray() ?? [];
        var lines = held.Select(level =>
        {
            var units = Math.Max(1, (int)(level.OnHand * (share ?? 0.02 + 0.08 * random.NextDouble())));
            var store = channel.StoreFor(dealer, elsewhere: random.NextDouble() < CrossRegionShare, random);
            return new SellOutLine(level.Sku, units, decimal.Round(units * channel.Product(level.Sku).ListPrice * 1.25m, 2), store?.Id);
        }).ToArray();
        if (lines.Length == 0) return false;
        await dealerGrain.ReportSellOutAsync(new SellOutReport(requestId, dealer.Info.Id, clock.GetUtcNow().UtcDateTime, lines));
        return true;
    }

    private IOrderGrain Order(string orderId) => grains.GetGrain<IOrderGrain>(Keys.Of(tenant, orderId));
}
