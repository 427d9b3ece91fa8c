using ChannelGrains.Ordering;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Catalog;

public sealed class ProductGrain(
    [PersistentState("product", StorageNames.Channel)] IPersistentState<ProductState> state,
    IOptions<OrderingOptions> options,
    TimeProvider clock) : Grain, IProductGrain, IRemindable
{
    private readonly HoldingsAudit audit = new();

    public Task<ProductView?> GetAsync() => Task.FromResult(View());

    public async Task<ProductView> UpsertAsync(ProductInfo info)
    {
        var validated = ProductRules.Validated(info);
        if (validated.Sku != Keys.Split(this.GetPrimaryKeyString()).Id)
            throw ChannelException.Validation("sku does not match the product addressed.");
        if (state.State.Info != validated)
        {
            state.State.Info = validated;
            await state.PersistAsync(this);
        }
        return View()!;
    }

    public async Task<ProductView> AdjustStockAsync(int delta, string reason)
    {
        EnsureExists();
        state.State.OnHand = ProductRules.AdjustedOnHand(state.State.OnHand, state.State.Reserved, delta, reason);
        await state.PersistAsync(this);
        return View()!;
    }

    public async Task ReserveAsync(string orderId, int quantity)
    {
        EnsureExists();
        var heldQuantity = state.State.Reservations.TryGetValue(orderId, out var held) ? held.Quantity : (int?)null;
        if (heldQuantity == quantity) return;
        // A retry holding something already (its first attempt died) takes what it holds into account.
        var available = state.State.OnHand - state.State.Reserved + (heldQuantity ?? 0);
        if (quantity > available)
            throw new ChannelException(ErrorCodes.InsufficientStock, $"{Sku} has {available} available, {quantity} ordered.");
        state.State.Reservations[orderId] = new Reservation(quantity, clock.GetUtcNow().UtcDateTime, Settled: false);
        await state.PersistAsync(this);
        await audit.ScheduleAsync(this, options.Value);
    }

    public async Task ReleaseAsync(string orderId)
    {
        if (state.State.Reservations.Remove(orderId)) await state.PersistAsync(this);
    }

    public async Task ShipAsync(string orderId)
    {
        if (!state.State.Reservations.Remove(orderId, out var reservation)) return;
        state.State.OnHand -= reservation.Quantity;
        await state.PersistAsync(this);
    }

    public async Task ApplyAuditAsync(IReadOnlyList<string> keep, IReadOnlyList<string> release)
    {
        var changed = false;
        foreach (var orderId in keep)
        {
            if (state.State.Reservations.TryGetValue(orderId, out var reservation) && !reservation.Settled)
            {
                state.State.Reservations[orderId] = reservation with { Settled = true };
                changed = true;
            }
        }
        foreach (var orderId in release) changed |= state.State.Reservations.Remove(orderId);
        if (changed) await state.PersistAsync(this);
    }

    /// <summary>
    /// A reservation whose order never completed (its silo died mid-saga) would hold stock for ever: the audit asks
    /// each such order, through a worker so this grain is not blocked meanwhile, whether it stands.
    /// </summary>
    public Task ReceiveReminder(string reminderName, TickStatus status) => audit.RunAsync(this, GrainFactory,
        state.State.Reservations.Where(r => !r.Value.Settled).Select(r => (r.Key, r.Value.At)).ToArray(), clock.GetUtcNow().UtcDateTime, options.Value);

    private string Sku => Keys.Split(this.GetPrimaryKeyString()).Id;

    private void EnsureExists()
    {
        if (state.State.Info is null) throw ChannelException.NotFound($"Product {Sku}");
    }

    private ProductView? View() => state.State.Info is { } info
        ? new ProductView(info.Sku, info.Name, info.ListPrice, info.FloorPrice, state.State.OnHand, state.State.Reserved)
        : null;
}
