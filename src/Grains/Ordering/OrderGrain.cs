using ChannelGrains.Catalog;
using ChannelGrains.Partners;
using Microsoft.Extensions.Logging;

namespace ChannelGrains.Ordering;

/// <summary>
/// The placing saga: persist the intent (so a crash is recoverable), take the dealer's credit, reserve every line or
/// none, then persist the outcome and only then acknowledge. A crash mid-saga is finished by a retry of the same
/// requestId, or compensated when a product's reservation audit asks this order whether it stands.
/// </summary>
public sealed class OrderGrain(
    [PersistentState("order", StorageNames.Channel)] IPersistentState<OrderState> state,
    IOrderApprovalPolicy approvalPolicy,
    TimeProvider clock,
    ILogger<OrderGrain> logger) : Grain, IOrderGrain
{
    private string Tenant => Keys.Split(this.GetPrimaryKeyString()).Tenant;

    private string Id => Keys.Split(this.GetPrimaryKeyString()).Id;

    public Task<OrderView?> GetAsync() => Task.FromResult(state.State.Phase == SagaPhase.Done && state.State.Request is not null ? View() : null);

    public async Task<OrderView> PlaceAsync(PlaceOrder order)
    {
        OrderRules.Validated(order);
        if (order.RequestId != Id) throw ChannelException.Validation("requestId does not match the order addressed.");
        if (state.State.Request is { } first && state.State.Phase != SagaPhase.Abandoned)
        {
            if (!first.SameAs(order)) throw ChannelException.Validation($"requestId {Id} was already used for another order.");
            if (state.State.Phase == SagaPhase.Done) return View();
            if (state.State.Phase == SagaPhase.Refused) throw new ChannelException(state.State.RefusalCode!, state.State.RefusalMessage!);
            return await CompleteSagaAsync(); // an earlier attempt died mid-saga: finish it
        }

        var lines = await PriceAsync(order);
        state.State = new OrderState
        {
            Request = order,
            Phase = SagaPhase.Reserving,
            Lines = [.. lines],
            PlacedAt = clock.GetUtcNow().UtcDateTime,
            Status = approvalPolicy.NeedsApproval(Tenant, order, lines) ? OrderStatus.PendingApproval : OrderStatus.Confirmed,
            Version = state.State.Version,
        };
        await state.PersistAsync(DeactivateOnIdle);
        return await CompleteSagaAsync();
    }

    public async Task<OrderView> ApproveAsync(bool approved)
    {
        var target = approved ? OrderStatus.Confirmed : OrderStatus.Rejected;
        EnsureCanMove(target);
        if (approved) await Dealer.ConfirmOrderAsync(Id);
        else await ReleaseAsync();
        return await MoveAsync(target);
    }

    public async Task<OrderView> CancelAsync()
    {
        EnsureCanMove(OrderStatus.Cancelled);
        await ReleaseAsync();
        return await MoveAsync(OrderStatus.Cancelled);
    }

    public async Task<OrderView> ShipAsync()
    {
        EnsureCanMove(OrderStatus.Shipped);
        await Task.WhenAll(state.State.Lines.Select(l => Product(l.Sku).ShipAsync(Id)));
        await Dealer.OrderShippedAsync(Id, state.State.Lines.Select(l => new SkuQuantity(l.Sku, l.Quantity)).ToArray());
        return await MoveAsync(OrderStatus.Shipped);
    }

    public async Task<OrderView> ReceiveAsync()
    {
        EnsureCanMove(OrderStatus.Received);
        await Dealer.OrderReceivedAsync(Id);
        return await MoveAsync(OrderStatus.Received);
    }

    public async Task<bool> HoldsReservationsAsync()
    {
        if (state.State.Phase == SagaPhase.Reserving)
        {
            // Calls to this grain are not interleaved, so no saga runs now: the one that wrote Reserving died.
            logger.LogWarning("Order {Order} was interrupted mid-saga; releasing its credit and reservations", this.GetPrimaryKeyString());
            await ReleaseAsync();
            state.State.Phase = SagaPhase.Abandoned;
            await state.PersistAsync(DeactivateOnIdle);
            return false;
        }
        return state.State.Phase == SagaPhase.Done && state.State.Status is OrderStatus.PendingApproval or OrderStatus.Confirmed or OrderStatus.Shipped;
    }

    private async Task<OrderView> CompleteSagaAsync()
    {
        var order = state.State.Request!;
        try
        {
            await Dealer.OpenOrderAsync(Id, order.Lines.Select(l => l.Sku).ToArray(), Total, state.State.PlacedAt,
                confirmed: state.State.Status == OrderStatus.Confirmed);
            await ReserveAllOrNoneAsync();
        }
        catch (ChannelException refused)
        {
            await Dealer.CloseOrderAsync(Id);
            state.State.Phase = SagaPhase.Refused;
            state.State.RefusalCode = refused.Code;
            state.State.RefusalMessage = refused.Message;
            await state.PersistAsync(DeactivateOnIdle);
            throw;
        }
        state.State.Phase = SagaPhase.Done;
        state.State.Version++;
        await state.PersistAsync(DeactivateOnIdle);
        await PublishAsync();
        return View();
    }

    /// <summary>Rule 2: every line is reserved, or the ones that were are released again.</summary>
    private async Task ReserveAllOrNoneAsync()
    {
        var attempts = state.State.Lines.Select(l => Product(l.Sku).ReserveAsync(Id, l.Quantity)).ToArray();
        try
        {
            await Task.WhenAll(attempts);
        }
        catch
        {
            await Task.WhenAll(state.State.Lines.Select(l => Product(l.Sku).ReleaseAsync(Id)));
            var refusal = attempts.Select(a => a.Exception?.InnerException).OfType<ChannelException>().FirstOrDefault();
            if (refusal is not null) throw refusal;
            throw;
        }
    }

    private async Task<IReadOnlyList<OrderLine>> PriceAsync(PlaceOrder order)
    {
        var products = await Task.WhenAll(order.Lines.Select(l => Product(l.Sku).GetAsync()));
        return order.Lines.Select((line, i) => OrderRules.Priced(line,
            products[i] ?? throw ChannelException.NotFound($"Product {line.Sku}"), specialPrice: null)).ToArray();
    }

    private async Task ReleaseAsync()
    {
        await Task.WhenAll(state.State.Lines.Select(l => Product(l.Sku).ReleaseAsync(Id)));
        await Dealer.CloseOrderAsync(Id);
    }

    private void EnsureCanMove(OrderStatus target)
    {
        if (state.State.Phase != SagaPhase.Done) throw ChannelException.NotFound($"Order {Id}");
        if (!OrderRules.CanMove(state.State.Status, target)) throw OrderRules.InvalidTransition(Id, state.State.Status, target);
    }

    private async Task<OrderView> MoveAsync(OrderStatus target)
    {
        state.State.Status = target;
        state.State.Version++;
        await state.PersistAsync(DeactivateOnIdle);
        await PublishAsync();
        return View();
    }

    private Task PublishAsync() =>
        this.PublishChangeAsync(StreamNames.OrdersOfDealer, Keys.Of(Tenant, state.State.Request!.DealerId), View(), logger);

    private decimal Total => state.State.Lines.Sum(l => l.Amount);

    private IDealerGrain Dealer => GrainFactory.GetGrain<IDealerGrain>(Keys.Of(Tenant, state.State.Request!.DealerId));

    private IProductGrain Product(string sku) => GrainFactory.GetGrain<IProductGrain>(Keys.Of(Tenant, sku));

    private OrderView View() =>
        new(Id, state.State.Request!.DealerId, state.State.Status, state.State.Lines, Total, state.State.PlacedAt, state.State.Version);
}
