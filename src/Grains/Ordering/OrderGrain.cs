using ChannelGrains.Approvals;
using ChannelGrains.Catalog;
using ChannelGrains.Partners;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Ordering;

/// <summary>
/// The placing saga: take the dealer's credit, reserve every line or none, then persist the outcome and only then
/// acknowledge. Nothing is written before the outcome: every grain that holds something for an order audits it
/// later, and an order with no persisted outcome holds nothing. So a saga that died midway is finished by a retry of
/// the same requestId (holdings are idempotent per order), or undone when its holders' audits ask this order.
/// </summary>
/// <remarks>
/// Every order is a new activation, and its next step (approval, shipment, receipt) usually comes hours later: kept for
/// Orleans' default 15 minutes, orders placed at 1,000/s would hold 900,000 idle activations. Two minutes covers a
/// client's retries and the saga's own calls. An order that reaches a final status (received, cancelled, rejected) or
/// is refused is deactivated at once: under load its activation, alive for two minutes more, was copied from one GC
/// generation to the next and marked at every full collection, for nothing. A final order that a read or a retry
/// brings back from storage stays for a second (every rejected order came back so, read by the approveOrder mutation
/// that rejected it). A grain call filter on the order would say all of this in one place, but it runs for every call
/// to every order: in the ceiling benchmark it allocated 0.9 KB more per mutation and lost a fifth of the throughput.
/// </remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed class OrderGrain(
    [PersistentState("order", StorageNames.Channel)] IPersistentState<OrderState> state,
    TenantSettingsCache settingsCache,
    ProductPrices prices,
    TimeProvider clock,
    IOptions<OrderingOptions> options,
    ILogger<OrderGrain> logger) : Grain, IOrderGrain, IRemindable
{
    private (string Tenant, string Id)? key;

    /// <summary>
    /// The references this activation calls, each made once: an order calls its dealer and its lines' products at every
    /// step, and each new reference builds a proxy that creates its argument copiers anew (docs/benchmarks.md). Made on
    /// first use: many activations only answer a read of the order.
    /// </summary>
    private (string Id, IDealerGrain Grain)? dealerGrain;
    private Dictionary<string, IProductGrain>? products;

    /// <summary>The prices each SKU of the order was priced by in this activation, which its product checks when it reserves the line.</summary>
    private Dictionary<string, ProductPrice>? pricedBy;

    /// <summary>Whether this activation saw the order's approval opened (see <see cref="WithApprovalOpenedAsync"/>).</summary>
    private bool approvalOpened;

    private (string Tenant, string Id) Key => key ??= Keys.Split(this.GetPrimaryKeyString());

    private string Tenant => Key.Tenant;

    private string Id => Key.Id;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (IsFinal) this.RegisterGrainTimer(LeaveAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        return Task.CompletedTask;
    }

    private Task LeaveAsync()
    {
        LeaveIfFinal();
        return Task.CompletedTask;
    }

    /// <summary>Nothing moves a final order again: its activation goes after this call, not after its collection age (see the remarks).</summary>
    private void LeaveIfFinal()
    {
        if (IsFinal) DeactivateOnIdle();
    }

    /// <summary>Refused, or in a status no order leaves: nothing moves it again, and a read or retry finds it in storage.</summary>
    private bool IsFinal => state.State.Phase == SagaPhase.Refused || state.State.Phase == SagaPhase.Done && OrderRules.IsFinal(state.State.Status);

    public async Task<OrderView?> GetAsync()
    {
        if (state.State.Phase != SagaPhase.Done || state.State.Request is null) return null;
        await FinishStoppedReceiptAsync();
        return View();
    }

    public async Task<OrderView> PlaceAsync(PlaceOrder order)
    {
        OrderRules.Validated(order);
        if (order.RequestId != Id) throw ChannelException.Validation("requestId does not match the order addressed.");
        if (state.State.Request is { } first)
        {
            if (!first.SameAs(order)) throw ChannelException.Validation($"requestId {Id} was already used for another order.");
            if (state.State.Phase == SagaPhase.Done) return await WithApprovalOpenedAsync();
            if (state.State.Phase == SagaPhase.Refused) throw new ChannelException(state.State.RefusalCode!, state.State.RefusalMessage!);
            return await CompleteSagaAsync(); // an earlier attempt in this activation failed midway: finish it
        }

        var placedAt = clock.GetUtcNow().UtcDateTime;
        List<OrderLine> lines;
        OrderStatus status;
        try
        {
            (lines, status) = await PriceAsync(order, placedAt, fresh: false);
        }
        catch (ChannelException refused) when (refused.Code == ErrorCodes.PriceBelowFloor)
        {
            // Only the product's own prices refuse a line: this silo's copy may hold a floor lowered since, and no
            // reservation, which would have it forgotten, follows a refusal.
            (lines, status) = await PriceAsync(order, placedAt, fresh: true);
        }
        state.State = new OrderState
        {
            Request = order,
            Phase = SagaPhase.Reserving,
            Lines = lines,
            PlacedAt = placedAt,
            Status = status,
            Version = state.State.Version,
        };
        return await CompleteSagaAsync();
    }

    public async Task<bool> ApplyApprovalAsync(bool approved)
    {
        // The outcome of an approval may arrive again, or after the order was cancelled meanwhile: then it changes nothing.
        if (state.State.Phase != SagaPhase.Done || state.State.Status != OrderStatus.PendingApproval) return state.State.DecidedByApproval;
        var confirmed = approved && await Dealer.ConfirmOrderAsync(Id);
        if (!confirmed) await ReleaseAsync(); // rejected, or approved for a dealer no longer admitted
        state.State.DecidedByApproval = true;
        await MoveAsync(confirmed ? OrderStatus.Confirmed : OrderStatus.Rejected);
        return true;
    }

    /// <summary>
    /// Stores the order CANCELLED before it releases what it holds, and has a reminder finish the release should this
    /// activation not (a silo died, a write failed). Released first, a cancel stopped midway left the order CONFIRMED
    /// holding nothing, and shipping it then moved no units at all. Cancelled again, it answers as it is, and releases
    /// again what may still be held (releasing is idempotent).
    /// </summary>
    public async Task<OrderView> CancelAsync()
    {
        await ApplyShipmentAsync(); // a shipped order is not cancelled: its products may have let the units go
        if (!IsAlready(OrderStatus.Cancelled))
        {
            EnsureCanMove(OrderStatus.Cancelled);
            finishCancel = await this.RegisterOrUpdateReminder(FinishCancelReminder, options.Value.AuditPeriod, options.Value.AuditPeriod);
            await MoveAsync(OrderStatus.Cancelled);
        }
        await FinishCancelAsync();
        return View();
    }

    private const string FinishCancelReminder = "finish-cancel";

    /// <summary>The reminder this activation registered, unregistered without reading it back; null otherwise.</summary>
    private IGrainReminder? finishCancel;

    private async Task FinishCancelAsync()
    {
        await ReleaseAsync();
        await StopFinishingCancelAsync();
    }

    private async Task StopFinishingCancelAsync()
    {
        if ((finishCancel ?? await this.GetReminder(FinishCancelReminder)) is { } reminder) await this.UnregisterReminder(reminder);
        finishCancel = null;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != FinishCancelReminder) return;
        if (state.State is { Phase: SagaPhase.Done, Status: OrderStatus.Cancelled }) await FinishCancelAsync();
        else await StopFinishingCancelAsync(); // the cancel stopped before the order was stored CANCELLED
    }

    /// <summary>
    /// The order is in <paramref name="status"/> already: a move retried (rule 7) answers as the order is, after any
    /// step left unfinished by the first attempt (see <see cref="ApplyShipmentAsync"/> and <see cref="CancelAsync"/>).
    /// </summary>
    private bool IsAlready(OrderStatus status) => state.State.Phase == SagaPhase.Done && state.State.Status == status;

    /// <summary>
    /// Stores the order SHIPPED before any product lets its units go, then has its dealer and its products apply the
    /// shipment. One stopped midway (a silo died, a write failed) is finished by the order's next call, or when a
    /// product's audit asks the order about the reservation it still holds; never cancelled, which would leave the
    /// units neither at the manufacturer nor at the dealer.
    /// </summary>
    public async Task<OrderView> ShipAsync()
    {
        await ApplyShipmentAsync();
        if (IsAlready(OrderStatus.Shipped)) return View();
        EnsureCanMove(OrderStatus.Shipped);
        var shipped = await MoveAsync(OrderStatus.Shipped);
        await ApplyShipmentAsync();
        return shipped;
    }

    /// <summary>
    /// Whether this activation saw the products and the dealer apply the order's shipment. An order stored SHIPPED
    /// without it (its shipment stopped midway, or this is a later activation) has them apply it again at its next call:
    /// each applies a shipment once, so that finishes one stopped midway and changes nothing otherwise.
    /// </summary>
    private bool shipmentApplied;

    /// <remarks>
    /// The dealer first: until every product has let its units go, one of them still holds a reservation for the order,
    /// and its audit asks the order about it. Products first, a shipment stopped before the dealer left no holding behind.
    /// </remarks>
    private async Task ApplyShipmentAsync()
    {
        if (shipmentApplied || state.State is not { Phase: SagaPhase.Done, Status: OrderStatus.Shipped }) return;
        await Dealer.OrderShippedAsync(Id, state.State.Lines.Select(l => new SkuQuantity(l.Sku, l.Quantity)).ToArray());
        await Task.WhenAll(state.State.Lines.Select(l => Product(l.Sku).ShipAsync(Id)));
        shipmentApplied = true;
    }

    public async Task<OrderView> ReceiveAsync()
    {
        await ApplyShipmentAsync();
        if (IsAlready(OrderStatus.Received)) return View();
        EnsureCanMove(OrderStatus.Received);
        receiptChecked = false; // the dealer may store the receipt and this call still fail
        await Dealer.OrderReceivedAsync(Id);
        return await MoveAsync(OrderStatus.Received);
    }

    /// <summary>Whether this activation asked the dealer about a receipt of the shipped order (see <see cref="FinishStoppedReceiptAsync"/>).</summary>
    private bool receiptChecked;

    /// <summary>
    /// Rule 5: a receipt that stopped after the dealer stored it (the units on hand, the order closed there) and before
    /// the order was stored RECEIVED (a silo died in between), and that its client did not retry, is finished by the
    /// order's next read: a shipped order its dealer no longer holds was received. The dealer is asked once per
    /// activation: a receipt stopped in an activation either ends it (the order's write failed, the silo died) or
    /// leaves the question open again.
    /// </summary>
    private async Task FinishStoppedReceiptAsync()
    {
        if (receiptChecked || state.State.Status != OrderStatus.Shipped) return;
        // A shipment stopped before it reached the dealer leaves the order held there too: only a receipt closes it.
        if (!await Dealer.HoldsOrderAsync(Id)) await MoveAsync(OrderStatus.Received);
        receiptChecked = true;
    }

    public async Task<bool> HoldsReservationsAsync()
    {
        if (state.State.Phase == SagaPhase.Done)
        {
            await ApplyShipmentAsync(); // a holder asking about a shipped order may be the one its stopped shipment did not reach
            // A placement stopped before it opened the approval, and never retried, would otherwise wait, holding, for good.
            await WithApprovalOpenedAsync();
            return state.State.Status is OrderStatus.PendingApproval or OrderStatus.Confirmed or OrderStatus.Shipped;
        }
        // Refused and stored so (the refusal is what a retry gets back): it holds nothing, and stays refused.
        if (state.State.Phase == SagaPhase.Refused) return false;
        // Calls to this grain are not interleaved, so no saga runs now: one without a persisted outcome died or failed.
        if (state.State.Request is not null)
        {
            logger.LogWarning("Order {Order} was interrupted mid-saga; its holders release what they hold", this.GetPrimaryKeyString());
            state.State = new OrderState { Version = state.State.Version };
        }
        return false;
    }

    private async Task<OrderView> CompleteSagaAsync()
    {
        var order = state.State.Request!;
        try
        {
            for (var pricing = 1; ; pricing++)
            {
                await Dealer.OpenOrderAsync(Id, state.State.Lines, state.State.PlacedAt, confirmed: state.State.Status == OrderStatus.Confirmed);
                if (await ReserveAllOrNoneAsync()) break;
                // A product's prices were not those the order was priced by: priced again from the products themselves,
                // the dealer's hold takes the new terms (or refuses them) and the lines are reserved again.
                if (pricing == PricingsAtMost)
                    throw ChannelException.Validation($"The prices of order {Id}'s products changed while it was placed, {pricing} times; place it again with a new requestId.");
                (state.State.Lines, state.State.Status) = await PriceAsync(order, state.State.PlacedAt, fresh: true);
            }
        }
        catch (ChannelException refused)
        {
            await Dealer.CloseOrderAsync(Id);
            state.State.Phase = SagaPhase.Refused;
            state.State.RefusalCode = refused.Code;
            state.State.RefusalMessage = refused.Message;
            await state.PersistAsync(this);
            LeaveIfFinal(); // refused: a retry of the request reads the refusal back
            throw;
        }
        state.State.Phase = SagaPhase.Done;
        state.State.Version++;
        await state.PersistAsync(this);
        await PublishAsync();
        return await WithApprovalOpenedAsync();
    }

    /// <summary>
    /// An order waiting for approval has its approval open (idempotent): its placement opens it, and a retry of the
    /// placement, or a holder's audit asking about the order, opens it if that placement stopped first. Whether this
    /// activation saw it open is kept, so that the audit of an order placed here costs no call.
    /// </summary>
    private async Task<OrderView> WithApprovalOpenedAsync()
    {
        if (state.State.Status == OrderStatus.PendingApproval && !approvalOpened)
        {
            var dealer = await Dealer.GetAsync() ?? throw ChannelException.NotFound($"Dealer {state.State.Request!.DealerId}");
            await GrainFactory.GetGrain<IApprovalGrain>(Keys.Of(Tenant, ApprovalOutcomes.OrderApprovalId(Id))).OpenAsync(new ApprovalRequest(
                ApprovalKind.Order, Id, dealer.Region, Total, dealer.Id, $"Order {Id} of {dealer.Name}: {state.State.Lines.Count} lines, {Total}", ApprovalRequest.DealerRole));
            approvalOpened = true;
        }
        return View();
    }

    /// <summary>How many times a placement prices its lines before it gives up on prices that keep changing under it.</summary>
    private const int PricingsAtMost = 3;

    /// <summary>
    /// Rule 2: every line is reserved, or the ones that were are released again; false, with none reserved, when a
    /// product's prices are not those its line was priced by. Rule 1 across lines: reserved one at a time, in the order
    /// of their SKUs, as locks are taken. All at once, two orders for the last units of the same SKUs could each take
    /// one SKU, fail on the other and both back out, where one of them fits.
    /// </summary>
    private async Task<bool> ReserveAllOrNoneAsync()
    {
        try
        {
            foreach (var line in state.State.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal))
            {
                if (pricedBy is not null && pricedBy.TryGetValue(line.Sku, out var by) && await Product(line.Sku).ReserveAsync(Id, line.Quantity, by)) continue;
                prices.Forget(Tenant, line.Sku);
                await ReleaseLinesAsync();
                return false;
            }
            return true;
        }
        catch
        {
            await ReleaseLinesAsync();
            throw;
        }
    }

    private Task ReleaseLinesAsync() => Task.WhenAll(state.State.Lines.Select(l => Product(l.Sku).ReleaseAsync(Id)));

    /// <summary>
    /// The priced lines, and the status they place the order in: PENDING_APPROVAL when a line relies on a special price
    /// or the order is above the tenant's approval value. Priced from this silo's copies of the products' prices
    /// (<see cref="ProductPrices"/>), or, <paramref name="fresh"/>, from the products.
    /// </summary>
    private async Task<(List<OrderLine> Lines, OrderStatus Status)> PriceAsync(PlaceOrder order, DateTime at, bool fresh)
    {
        var byLine = new ProductPrice[order.Lines.Count];
        List<(int Line, Task<ProductView?> Product)>? reads = null;
        for (var i = 0; i < order.Lines.Count; i++)
            if (fresh || !prices.TryGet(Tenant, order.Lines[i].Sku, out byLine[i])) (reads ??= []).Add((i, Product(order.Lines[i].Sku).GetAsync()));
        if (reads is not null)
        {
            await Task.WhenAll(reads.Select(r => r.Product));
            foreach (var (i, read) in reads)
            {
                var product = await read ?? throw ChannelException.NotFound($"Product {order.Lines[i].Sku}");
                prices.Keep(Tenant, product.Sku, byLine[i] = new ProductPrice(product.ListPrice, product.FloorPrice));
            }
        }
        var lines = new List<OrderLine>(order.Lines.Count);
        var special = false;
        var by = new Dictionary<string, ProductPrice>(order.Lines.Count, StringComparer.Ordinal);
        for (var i = 0; i < order.Lines.Count; i++)
        {
            var (line, price) = (order.Lines[i], byLine[i]);
            var belowFloor = (line.UnitPrice ?? price.ListPrice) < price.FloorPrice;
            var specialPrice = belowFloor ? await DealerOf(order.DealerId).GetSpecialPriceAsync(line.Sku, at) : null;
            lines.Add(OrderRules.Priced(line, price, specialPrice));
            special |= belowFloor;
            by[line.Sku] = price;
        }
        var settings = await settingsCache.GetAsync(Tenant);
        // Taken with the lines, after the last await: a pricing that fails before leaves the lines it would replace, and
        // the prices they were priced by, for a retry of the request in this activation to reserve at.
        pricedBy = by;
        return (lines, OrderRules.NeedsApproval(settings, lines, special) ? OrderStatus.PendingApproval : OrderStatus.Confirmed);
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
        await state.PersistAsync(this);
        await PublishAsync();
        LeaveIfFinal();
        return View();
    }

    private Task PublishAsync() =>
        this.PublishChangeAsync(StreamNames.OrdersOfDealer, Keys.Of(Tenant, state.State.Request!.DealerId), View, logger);

    private decimal Total => state.State.Lines.Sum(l => l.Amount);

    private IDealerGrain Dealer => DealerOf(state.State.Request!.DealerId);

    private IDealerGrain DealerOf(string dealerId)
    {
        if (dealerGrain is { } held && held.Id == dealerId) return held.Grain;
        var grain = GrainFactory.GetGrain<IDealerGrain>(Keys.Of(Tenant, dealerId));
        dealerGrain = (dealerId, grain);
        return grain;
    }

    private IProductGrain Product(string sku)
    {
        products ??= new(StringComparer.Ordinal);
        if (!products.TryGetValue(sku, out var product)) products[sku] = product = GrainFactory.GetGrain<IProductGrain>(Keys.Of(Tenant, sku));
        return product;
    }

    private OrderView View() =>
        new(Id, state.State.Request!.DealerId, state.State.Status, state.State.Lines, Total, state.State.PlacedAt, state.State.Version);
}
