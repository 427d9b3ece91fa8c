namespace ChannelGrains.Catalog;

/// <summary>One SKU of one tenant (key <c>tenant/sku</c>): prices and manufacturer stock, the reservation point for orders.</summary>
[Alias("ChannelGrains.IProductGrain")]
public interface IProductGrain : Ordering.IOrderHoldings
{
    [Alias("Get")] Task<ProductView?> GetAsync();

    [Alias("Upsert")] Task<ProductView> UpsertAsync(ProductInfo info);

    /// <summary>
    /// Changes on-hand stock by <paramref name="delta"/>. With a <paramref name="requestId"/> it is applied once: asked
    /// again with the same delta and reason it answers the product as it is, with others it is VALIDATION.
    /// </summary>
    [Alias("AdjustStock")] Task<ProductView> AdjustStockAsync(int delta, string reason, string? requestId = null);

    /// <summary>
    /// Holds stock for an order whose line was priced by <paramref name="pricedBy"/>, or refuses with INSUFFICIENT_STOCK.
    /// Reserving again for the same order sets what it holds. False, and nothing changed, when this product's prices are
    /// not <paramref name="pricedBy"/> (the order was priced from a stale copy, or they changed since): the line is priced
    /// again.
    /// </summary>
    [Alias("Reserve")] Task<bool> ReserveAsync(string orderId, int quantity, ProductPrice pricedBy);

    /// <summary>Gives an order's reservation back; a no-op when it holds none.</summary>
    [Alias("Release")] Task ReleaseAsync(string orderId);

    /// <summary>The order's goods leave the manufacturer: its reservation and as much on-hand stock go. A no-op when already shipped.</summary>
    [Alias("Ship")] Task ShipAsync(string orderId);
}
