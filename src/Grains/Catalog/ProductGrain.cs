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

    public async Task<ProductView> AdjustStockAsync(int delta, string reason, string? requestId = null)
    {
        if (requestId is not null) Validate.Id(requestId, "requestId");
        EnsureExists();
        var adjustments = state.State.Adjustments;
        if (requestId is not null && adjustments.Find(a => a.RequestId == requestId) is { } first)
        {
            if (first.Delta != delta || first.Reason != reason)
                throw ChannelException.Validation($"requestId {requestId} was already used for another adjustment of {Sku}.");
            return View()!;
        }
        state.State.OnHand = ProductRules.AdjustedOnHand(state.State.OnHand, state.State.Reserved, delta, reason);
        if (requestId is not null)
        {
            if (adjustments.Count == ProductRules.AdjustmentsKept) adjustments.RemoveAt(0);
            adjustments.Add(new StockAdjustment(requestId, delta, reason));
        }
        await state.PersistAsync(this);
        return View()!;
    }

    public async Task<bool> ReserveAsync(string orderId, int quantity, ProductPrice pricedBy)
    {
        EnsureExists();
        if (ProductPrice.Of(state.State.Info!) != pricedBy) return false;
        var now = clock.GetUtcNow().UtcDateTime;
        var heldQuantity = state.State.Reservations.TryGetValue(orderId, out var held) ? held.Quantity : (int?)null;
        if (heldQuantity == quantity)
        {
            // A retry of the order: the holding is taken again, and an audit that asked the order before is not of it.
            state.State.Reservations[orderId] = held with { At = HoldingsAudit.TakenAgainAt(held.At, now) };
            await state.PersistAsync(this);
            return true;
        }
        // A retry holding something already (its first attempt died) takes what it holds into account.
        var available = state.State.OnHand - state.State.Reserved + (heldQuantity ?? 0);
        if (quantity > available)
            throw new ChannelException(ErrorCodes.InsufficientStock, $"{Sku} has {available} available, {quantity} ordered.");
        state.State.Reservations[orderId] = new Reservation(quantity, heldQuantity is null ? now : HoldingsAudit.TakenAgainAt(held.At, now), Settled: false);
        await state.PersistAsync(this);
        await audit.ScheduleAsync(this, options.Value);
        return true;
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

    public async Task ApplyAuditAsync(IReadOnlyList<string> keep, IReadOnlyList<AuditedHolding> release)
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
        foreach (var holding in release)
        {
            if (state.State.Reservations.TryGetValue(holding.OrderId, out var reservation) && reservation.At == holding.At)
                changed |= state.State.Reservations.Remove(holding.OrderId);
        }
        if (changed) await state.PersistAsync(this);
    }

    /// <summary>
    /// A reservation whose order never completed (its silo died mid-saga) would hold stock for ever: the audit asks
    /// each such order, through a worker so this grain is not blocked meanwhile, whether it stands. A confirmed one is
    /// asked about again once a day (<see cref="OrderingOptions.RecheckHeldEvery"/>): its order may have been stored
    /// SHIPPED by a shipment that stopped before it reached this product, and asked, the order finishes it.
    /// </summary>
    public Task ReceiveReminder(string reminderName, TickStatus status) => audit.RunAsync(this, GrainFactory,
        state.State.Reservations.Where(r => !r.Value.Settled).Select(r => (r.Key, r.Value.At)).ToArray(), clock.GetUtcNow().UtcDateTime, options.Value,
        state.State.Reservations.Where(r => r.Value.Settled).Select(r => (r.Key, r.Value.At)).ToArray());

    private string Sku => Keys.Split(this.GetPrimaryKeyString()).Id;

    private void EnsureExists()
    {
        if (state.State.Info is null) throw ChannelException.NotFound($"Product {Sku}");
    }

    private ProductView? View() => state.State.Info is { } info
        ? new ProductView(info.Sku, info.Name, info.ListPrice, info.FloorPrice, state.State.OnHand, state.State.Reserved)
        : null;
}
