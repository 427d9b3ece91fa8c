namespace ChannelGrains.Catalog;

/// <summary>One SKU of one tenant (key <c>tenant/sku</c>): prices and manufacturer stock, the reservation point for orders.</summary>
[Alias("ChannelGrains.IProductGrain")]
public interface IProductGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<ProductView?> GetAsync();

    [Alias("Upsert")] Task<ProductView> UpsertAsync(ProductInfo info);

    [Alias("AdjustStock")] Task<ProductView> AdjustStockAsync(int delta, string reason);
}
