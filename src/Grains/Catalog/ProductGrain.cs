using ChannelGrains.Ordering;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Catalog;

public sealed class ProductGrain(
    [PersistentState("product", StorageNames.Channel)] IPersistentState<ProductState> state,
    IOptions<OrderingOptions> options,
    TimeProvider clock) : Grain, IProductGrain, IRemindable
{
    private const string AuditReminder = "audit-reservations";

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
        EnsureExists();
        state.State.OnHand = ProductRules.AdjustedOnHand(state.State.OnHand, state.State.Reserved, delta, reason);
        await state.PersistAsync(DeactivateOnIdle);
        return View()!;
    }

    public async Task ReserveAsync(string orderId, int quantity)
    {
        EnsureExists();
        if (state.State.Reservations.ContainsKey(orderId)) return;
        var available = state.State.OnHand - state.State.Reserved;
        if (quantity > available)
            throw new ChannelException(ErrorCodes.InsufficientStock, $"{Sku} has {available} available, {quantity} ordered.");
        state.State.Reservations[orderId] = new Reservation(quantity, clock.GetUtcNow().UtcDateTime, Settled: false);
        await state.PersistAsync(DeactivateOnIdle);
        await EnsureAuditScheduledAsync();
    }

    public async Task ReleaseAsync(string orderId)
    {
        if (state.State.Reservations.Remove(orderId)) await state.PersistAsync(DeactivateOnIdle);
    }

    public async Task ShipAsync(string orderId)
    {
        if (!state.State.Reservations.Remove(orderId, out var reservation)) return;
        state.State.OnHand -= reservation.Quantity;
        await state.PersistAsync(DeactivateOnIdle);
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
        if (changed) await state.PersistAsync(DeactivateOnIdle);
    }

    /// <summary>
    /// A reservation whose order never confirmed (its silo died mid-saga) would hold stock for ever: the audit asks
    /// each such order, through a worker so this grain is not blocked meanwhile, whether it stands.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var staleBefore = clock.GetUtcNow().UtcDateTime - options.Value.AuditReservationsAfter;
        var unsettled = state.State.Reservations.Where(r => !r.Value.Settled).ToList();
        if (unsettled.Count == 0)
        {
            if (await this.GetReminder(AuditReminder) is { } reminder) await this.UnregisterReminder(reminder);
            return;
        }
        var stale = unsettled.Where(r => r.Value.At <= staleBefore).Select(r => r.Key).ToArray();
        if (stale.Length > 0) await GrainFactory.GetGrain<IReservationAuditorGrain>(0).AuditAsync(this.GetPrimaryKeyString(), stale);
    }

    private async Task EnsureAuditScheduledAsync()
    {
        if (state.State.Reservations.Count(r => !r.Value.Settled) == 1)
            await this.RegisterOrUpdateReminder(AuditReminder, options.Value.AuditPeriod, options.Value.AuditPeriod);
    }

    private string Sku => Keys.Split(this.GetPrimaryKeyString()).Id;

    private void EnsureExists()
    {
        if (state.State.Info is null) throw ChannelException.NotFound($"Product {Sku}");
    }

    private ProductView? View() => state.State.Info is { } info
        ? new ProductView(info.Sku, info.Name, info.ListPrice, info.FloorPrice, state.State.OnHand, state.State.Reserved)
        : null;
}
