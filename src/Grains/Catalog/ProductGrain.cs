namespace ChannelGrains.Catalog;

public sealed class ProductGrain(
    [PersistentState("product", StorageNames.Channel)] IPersistentState<ProductState> state) : Grain, IProductGrain
{
    public Task<ProductView?> GetAsync() => Task.FromResult(View());

    public async Task<ProductView> UpsertAsync(ProductInfo info)
    {
        var validated = ProductRules.Validated(info);
        if (validated.Sku != Keys.Split(this.GetPrimaryKeyString()).Id)
            throw ChannelException.Validation("sku does not match the product addressed.");
        if (state.State.Info != validated)
        {
            state.State.Info = validated;
            await state.PersistAsync(DeactivateOnIdle);
        }
        return View()!;
    }

    public async Task<ProductView> AdjustStockAsync(int delta, string reason)
    {
        if (state.State.Info is null) throw ChannelException.NotFound($"Product {Keys.Split(this.GetPrimaryKeyString()).Id}");
        state.State.OnHand = ProductRules.AdjustedOnHand(state.State.OnHand, state.State.Reserved, delta, reason);
        await state.PersistAsync(DeactivateOnIdle);
        return View()!;
    }

    private ProductView? View() => state.State.Info is { } info
        ? new ProductView(info.Sku, info.Name, info.ListPrice, info.FloorPrice, state.State.OnHand, state.State.Reserved)
        : null;
}
