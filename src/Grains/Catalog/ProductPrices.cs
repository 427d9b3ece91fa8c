using System.Collections.Concurrent;

namespace ChannelGrains.Catalog;

/// <summary>The prices an order line is priced by.</summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.ProductPrice")]
public readonly record struct ProductPrice([property: Id(0)] decimal ListPrice, [property: Id(1)] decimal FloorPrice)
{
    public static ProductPrice Of(ProductInfo info) => new(info.ListPrice, info.FloorPrice);
}

/// <summary>
/// Each silo's copy of the prices of the products its orders were placed for: an order is priced from them without a
/// call to each of its lines' products first. A copy may be stale (a price changed on another silo, or since): each
/// product compares the prices its line was priced by when it reserves the line, which is where the order is placed,
/// and refuses them if they are not its own; the order then prices itself again from the products
/// (see <see cref="IProductGrain.ReserveAsync"/>).
/// </summary>
public sealed class ProductPrices
{
    /// <summary>At most this many products are held; past it, the copies are dropped and read again as orders need them.</summary>
    public const int HeldAtMost = 100_000;

    private readonly ConcurrentDictionary<(string Tenant, string Sku), ProductPrice> copies = new();

    public bool TryGet(string tenant, string sku, out ProductPrice price) => copies.TryGetValue((tenant, sku), out price);

    public void Keep(string tenant, string sku, ProductPrice price)
    {
        if (copies.Count >= HeldAtMost) copies.Clear();
        copies[(tenant, sku)] = price;
    }

    public void Forget(string tenant, string sku) => copies.TryRemove((tenant, sku), out _);
}
