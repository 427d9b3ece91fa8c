using ChannelGrains.Analytics;
using ChannelGrains.Fields;
using ChannelGrains.Ordering;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Partners;

public sealed class DealerGrain(
    [PersistentState("dealer", StorageNames.Channel)] IPersistentState<DealerState> state,
    IOptions<OrderingOptions> options,
    DealerHeal heal,
    TimeProvider clock,
    ILogger<DealerGrain> logger) : Grain, IDealerGrain, IRemindable
{
    private readonly HoldingsAudit audit = new();

    /// <summary>
    /// The grain's key, tenant, id and source id (<see cref="Contribution.DealerSource"/>), made once: each is a new
    /// string when taken from the grain id, and a save took them six times over. The tenant and the source id are the
    /// very strings the contributions carry, so the shards holding those share them.
    /// </summary>
    private (string Key, string Tenant, string Id, string SourceId)? names;

    private (string Key, string Tenant, string Id, string SourceId) Names => names ??= NamesOf(this.GetPrimaryKeyString());

    private static (string Key, string Tenant, string Id, string SourceId) NamesOf(string key)
    {
        var (tenant, id) = Keys.Split(key);
        return (key, tenant, id, Contribution.DealerSource(id));
    }

    private string Key => Names.Key;

    private string Id => Names.Id;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        state.State.FoldEarlierVersions();
        PublishMonths(state.State.Months.Keys);
        await PublishRecentlyArchivedAsync();
    }

    /// <summary>
    /// Months archived lately, which the heal of the activation that archived them may not have published again yet
    /// (it died, or deactivated): published from the archive, and due in this silo's heal (see <see cref="DealerMonthArchive"/>).
    /// </summary>
    private async Task PublishRecentlyArchivedAsync()
    {
        var recent = DealerMonthArchive.ArchivedAmong(state.State, state.State.RecentlyArchived ?? []);
        if (recent.Length == 0) return;
        heal.Changed(Key, recent);
        try
        {
            await RepublishAsync(recent);
        }
        catch (Exception e)
        {
            // The heal asks again (RepublishAsync reads the archive); an archive that does not answer must not keep the dealer down.
            logger.LogWarning(e, "Dealer {Dealer} could not publish its recently archived months {Months}", Key, string.Join(", ", recent));
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        heal.Deactivated(Key);
        return Task.CompletedTask;
    }

    public async Task RepublishAsync(string[] months)
    {
        var archived = DealerMonthArchive.ArchivedAmong(state.State, months);
        PublishMonths(months, archived.Length == 0 ? null : await MonthArchive.GetAsync(archived));
    }

    public Task<DealerView?> GetAsync() => Task.FromResult(View());

    public Task<string?> GetRegionAsync() => Task.FromResult(state.State.Info?.Region);

    public async Task<DealerView> UpsertAsync(DealerInfo info)
    {
        var validated = DealerRules.Validated(info);
        if (validated.Id != Id) throw ChannelException.Validation("id does not match the dealer addressed.");
        if (state.State.Info is { } current && !DealerRules.CanMove(current.Status, validated.Status))
            throw new ChannelException(ErrorCodes.InvalidTransition, $"Dealer {Id} cannot move from {ChannelException.ApiName(current.Status)} to {ChannelException.ApiName(validated.Status)}.");
        if (state.State.Info is null || !SameInfo(state.State.Info, validated))
        {
            var movedFrom = state.State.Info?.Region;
            state.State.Info = validated;
            await SaveAsync();
            if (movedFrom is not null && movedFrom != validated.Region) TellWaitingApprovalsOfMove();
        }
        return View()!;
    }

    /// <summary>
    /// Rule 19: the approvals this dealer's orders and special prices wait for move to its new region. Told without
    /// waiting (each reads the dealer back); one the message misses, or an admission's, moves at its next read or decision.
    /// </summary>
    private void TellWaitingApprovalsOfMove()
    {
        var waiting = state.State.OpenOrders.Where(o => !o.Value.Confirmed).Select(o => Approvals.ApprovalOutcomes.OrderApprovalId(o.Key))
            .Concat(state.State.SpecialPrices?.Where(p => p.Value.Status == Approvals.ApprovalStatus.Pending).Select(p => p.Key) ?? []);
        foreach (var approvalId in waiting) GrainFactory.GetGrain<Approvals.IApprovalGrain>(Keys.Of(Names.Tenant, approvalId)).FollowDealerAsync().Ignore();
    }

    public async Task OpenOrderAsync(string orderId, IReadOnlyList<OrderLine> lines, DateTime placedAt, bool confirmed)
    {
        var amount = lines.Sum(l => l.Amount);
        var held = state.State.OpenOrders.GetValueOrDefault(orderId);
        var now = clock.GetUtcNow().UtcDateTime;
        if (held is not null && held.Amount == amount && held.Confirmed == confirmed && held.Lines.SequenceEqual(lines))
        {
            // A retry of the order: the hold is taken again, and an audit that asked the order before is not of it. Lines
            // priced again at the same total (one price up, another down) are other terms: the month counts them by SKU.
            state.State.OpenOrders[orderId] = held with { At = HoldingsAudit.TakenAgainAt(held.At, now) };
            await SaveAsync();
            return;
        }
        var month = Period.MonthKey(placedAt);
        // Only a confirmed order counts in its month (a retry of an old saga may find that month archived).
        var counted = CountedMonths(confirmed ? month : null, held is { Confirmed: true } ? held.Month : null);
        await RestoreMonthsAsync(counted);
        if (held is not null) DealerLedger.Close(state.State, orderId); // a retry whose first attempt died holding other terms
        bool listed;
        try
        {
            DealerLedger.EnsureCanOrder(state.State, Id, lines, amount);
            // An order that held credit got its reference with that hold. The retry of one whose saga died, released by the
            // audit since, is placed again: it was listed then, perhaps on a page sealed since.
            listed = held is not null || state.State.ReleasedListed?.Remove(orderId) == true
                || (state.State.Orders.MayHold(orderId) && DealerOrderPages.IndexOf(state.State.Orders, orderId) >= 0);
            if (!listed) await SealFullOrderPagesAsync();
        }
        catch
        {
            // The first hold was closed in memory only: the stored state, read again, is the truth.
            if (held is not null) DeactivateOnIdle();
            throw;
        }
        var open = new OpenOrder(amount, month, confirmed, held is null ? now : HoldingsAudit.TakenAgainAt(held.At, now), Settled: false, lines);
        state.State.OpenOrders[orderId] = open;
        if (!listed) state.State.Orders.Add(new OrderRef(orderId, placedAt));
        if (confirmed) DealerLedger.CountSellIn(state.State, open, sign: 1);
        await SaveAsync(counted);
        await audit.ScheduleAsync(this, options.Value);
    }

    public async Task<bool> ConfirmOrderAsync(string orderId)
    {
        if (state.State.OpenOrders.GetValueOrDefault(orderId) is not { } open) return false; // released: confirmed, it would hold nothing
        if (open.Confirmed) return true;
        // Rule 6 when the approval comes: a dealer suspended or terminated since the order was placed orders nothing.
        if (state.State.Info?.Status != DealerStatus.Admitted) return false;
        await RestoreMonthsAsync(open.Month);
        state.State.OpenOrders[orderId] = open with { Confirmed = true };
        DealerLedger.CountSellIn(state.State, open with { Confirmed = true }, sign: 1);
        await SaveAsync(open.Month);
        return true;
    }

    public async Task CloseOrderAsync(string orderId)
    {
        var months = CountedMonths(state.State.OpenOrders.GetValueOrDefault(orderId) is { Confirmed: true } open ? open.Month : null);
        await RestoreMonthsAsync(months);
        if (DealerLedger.Close(state.State, orderId)) await SaveAsync(months);
    }

    public async Task ApplyAuditAsync(IReadOnlyList<string> keep, IReadOnlyList<AuditedHolding> release)
    {
        // Only the holds audited: one its order's retry took again since is that order's now (see IOrderHoldings).
        string[] releasing = [.. release.Where(h => state.State.OpenOrders.GetValueOrDefault(h.OrderId)?.At == h.At).Select(h => h.OrderId)];
        string[] months = [.. releasing.Select(id => state.State.OpenOrders[id]).Where(o => o.Confirmed).Select(o => o.Month).Distinct(StringComparer.Ordinal)];
        await RestoreMonthsAsync(months);
        var changed = false;
        foreach (var orderId in keep)
        {
            if (state.State.OpenOrders.GetValueOrDefault(orderId) is { Settled: false } open)
            {
                state.State.OpenOrders[orderId] = open with { Settled = true };
                changed = true;
            }
        }
        foreach (var orderId in releasing)
        {
            if (!DealerLedger.Close(state.State, orderId)) continue;
            changed = true;
            var released = state.State.ReleasedListed ??= [];
            released.Add(orderId);
            if (released.Count > DealerOrderPages.PageSize) released.RemoveAt(0);
        }
        if (changed) await SaveAsync(months);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => audit.RunAsync(this, GrainFactory,
        state.State.OpenOrders.Where(o => !o.Value.Settled).Select(o => (o.Key, o.Value.At)).ToArray(), clock.GetUtcNow().UtcDateTime, options.Value);

    public async Task OrderShippedAsync(string orderId, IReadOnlyList<SkuQuantity> lines)
    {
        if (state.State.Shipments?.ContainsKey(orderId) == true || !state.State.OpenOrders.ContainsKey(orderId)) return;
        DealerLedger.Ship(state.State, orderId, lines);
        await SaveAsync();
    }

    public async Task OrderReceivedAsync(string orderId)
    {
        if (state.State.Shipments?.ContainsKey(orderId) != true) return;
        DealerLedger.Receive(state.State, orderId);
        await SaveAsync();
    }

    public Task<bool> HoldsOrderAsync(string orderId) => Task.FromResult(state.State.OpenOrders.ContainsKey(orderId));

    public async Task<DealerView> ReportSellOutAsync(SellOutReport report)
    {
        var info = state.State.Info ?? throw ChannelException.NotFound($"Dealer {Id}");
        DealerLedger.ValidatedSellOut(report);
        if (report.DealerId != Id) throw ChannelException.Validation("dealerId does not match the dealer addressed.");
        // A day's grace for the reporter's time zone and clock: a sale is reported once it happened.
        if (report.Date > clock.GetUtcNow().UtcDateTime.AddDays(1))
            throw ChannelException.Validation($"date {report.Date:yyyy-MM-dd} is after today: a sell-out is reported once it happened.");
        var month = Period.MonthKey(report.Date);
        var digest = report.Digest();
        if (await ReceiptOfAsync(report.RequestId) is { } applied)
        {
            if (applied.Digest != digest) throw ChannelException.Validation($"requestId {report.RequestId} was used for another report.");
            if (applied.Alerts is { Count: > 0 } logged) await AlertLog().AppendAsync(logged);
            return View()!;
        }
        var alerts = await CrossRegionAlertsAsync(info, report);
        // Before the ledger changes the state: a failure here leaves in memory only what the archives already store.
        await RestoreMonthsAsync(month);
        await TryArchiveReceiptsAsync();
        DealerLedger.SellOut(state.State, report);
        DealerReceipts.Add(state.State, month, report.RequestId, new SellOutReceipt(digest, alerts.Count > 0 ? alerts : null));
        DealerLedger.Month(state.State, month).CrossRegionAlerts += alerts.Count;
        await SaveAsync(month);
        // After the dealer's own record: a failure here fails the report, and its retry (same requestId) logs the alerts again.
        if (alerts.Count > 0) await AlertLog().AppendAsync(alerts);
        return View()!;
    }

    /// <summary>
    /// The receipt of a report already applied under <paramref name="requestId"/>, whatever its month: held in the
    /// state (by this version or an earlier one), else in an archive whose filter may hold the id.
    /// </summary>
    private async Task<SellOutReceipt?> ReceiptOfAsync(string requestId)
    {
        if (DealerReceipts.Held(state.State, requestId) is { } held) return held;
        if (state.State.SellOutReceipts?.ContainsKey(requestId) == true) return DealerReceipts.LegacyReceipts(state.State)[requestId];
        foreach (var month in DealerReceipts.MayHold(state.State, requestId))
            if (await ReceiptArchive(month).FindAsync(requestId) is { } archived) return archived;
        return null;
    }

    /// <summary>
    /// Moves the receipts out of the state once there are <see cref="DealerReceipts.ArchiveAt"/>, each month's into
    /// its archive grain; the receipts of earlier versions go into the legacy archive. The archives are stored before
    /// the state forgets the receipts, and the state is written after: a dealer that dies in between still holds them,
    /// and adds them again later (a merge that changes nothing).
    /// </summary>
    private async Task TryArchiveReceiptsAsync()
    {
        try
        {
            await ArchiveReceiptsAsync();
        }
        catch (Exception e)
        {
            // Nothing changed: the receipts stay in the state, and the next report tries again. A failing archive
            // must not refuse the dealer's sell-out.
            logger.LogWarning(e, "Dealer {Dealer} could not archive its sell-out receipts; it keeps them for now", Key);
        }
    }

    private async Task ArchiveReceiptsAsync()
    {
        var months = DealerReceipts.ToArchive(state.State);
        var legacy = state.State.SellOutReceipts is { Count: > 0 };
        if (months.Length == 0 && !legacy) return;
        // A copy: a call to another silo serializes its argument when the message is sent, while this dealer may change its own.
        var archived = months.Select(m => ReceiptArchive(m).AddAsync(new PackedDictionary<SellOutReceipt>(state.State.ReceiptsByMonth![m]))).ToList();
        if (legacy) archived.Add(ReceiptArchive(DealerReceipts.Legacy).AddAsync(DealerReceipts.LegacyReceipts(state.State)));
        var filters = await Task.WhenAll(archived);
        for (var i = 0; i < months.Length; i++) DealerReceipts.MarkArchived(state.State, months[i], filters[i]);
        if (legacy) DealerReceipts.MarkArchived(state.State, DealerReceipts.Legacy, filters[^1]);
    }

    private IDealerReceiptArchiveGrain ReceiptArchive(string month) =>
        GrainFactory.GetGrain<IDealerReceiptArchiveGrain>(DealerReceipts.ArchiveKey(Key, month));

    private ICrossRegionAlertLogGrain AlertLog() => GrainFactory.GetGrain<ICrossRegionAlertLogGrain>(Names.Tenant);

    public async Task<QuotaProgress> SetQuotaAsync(string month, decimal target)
    {
        if (state.State.Info is null) throw ChannelException.NotFound($"Dealer {Id}");
        month = Period.Parse(month).EnsureMonth().ToString();
        Validate.Money(target, "target");
        await RestoreMonthsAsync(month);
        if ((state.State.Quotas?.GetValueOrDefault(month) ?? 0m) != target)
        {
            (state.State.Quotas ??= new(StringComparer.Ordinal))[month] = target;
            DealerLedger.Month(state.State, month);
            await SaveAsync(month);
        }
        return DealerLedger.Quota(state.State, Id, month);
    }

    public async Task<DealerView> ImportHistoryAsync(DealerHistoryImport import)
    {
        if (state.State.Info is null) throw ChannelException.NotFound($"Dealer {Id}");
        DealerHistoryRules.Validated(import, Period.MonthOf(clock.GetUtcNow().UtcDateTime));
        await SaveAsync(DealerHistoryRules.Apply(state.State, import));
        return View()!;
    }

    public async Task<QuotaProgress> GetQuotaAsync(string period)
    {
        var archived = DealerMonthArchive.ArchivedAmong(state.State, DealerLedger.MonthsOf(period));
        return DealerLedger.Quota(state.State, Id, period, archived.Length == 0 ? null : await ArchivedAsync(archived));
    }

    /// <summary>
    /// Brings these months back into the state from the archive, if it holds them, before they change (see
    /// <see cref="DealerMonthArchive"/>). Not written here: the change that follows writes them with the rest.
    /// </summary>
    private Task RestoreMonthsAsync(params IEnumerable<string> months)
    {
        var archived = DealerMonthArchive.ArchivedAmong(state.State, months);
        return archived.Length == 0 ? Task.CompletedTask : RestoreArchivedMonthsAsync(archived);
    }

    private async Task RestoreArchivedMonthsAsync(string[] months) => DealerMonthArchive.Restore(state.State, await ArchivedAsync(months));

    /// <summary>Archived months as the archive holds them; every month the state names as archived must be there.</summary>
    private async Task<Dictionary<string, ArchivedMonth>> ArchivedAsync(string[] months)
    {
        var held = await MonthArchive.GetAsync(months);
        var missing = months.Where(m => !held.ContainsKey(m)).ToArray();
        if (missing.Length > 0)
        {
            logger.LogError("Dealer {Dealer} names months {Months} as archived, and its month archive does not hold them", Key, string.Join(", ", missing));
            throw new InvalidOperationException($"The month archive of dealer {Id} does not hold {string.Join(", ", missing)}.");
        }
        return held;
    }

    /// <summary>
    /// Moves the months <see cref="DealerMonthArchive.ToArchive"/> names into the archive, before the state is written:
    /// the archive is stored first, and the state forgets them only then. A failure keeps them in the state (logged),
    /// and a later write tries again. Returns what was archived, to be published with the write.
    /// </summary>
    private async Task<Dictionary<string, ArchivedMonth>?> TryArchiveMonthsAsync(string current, string[] changed)
    {
        var firstHeld = DealerMonthArchive.FirstHeld(current, options.Value.ClosedMonthsHeld);
        if (!DealerMonthArchive.HoldsAnyBefore(state.State, firstHeld)) return null; // most writes: nothing closed long ago
        var months = DealerMonthArchive.ToArchive(state.State, firstHeld, changed, m => heal.IsDue(Key, m));
        if (months.Length == 0) return null;
        var entries = DealerMonthArchive.Entries(state.State, months);
        try
        {
            await MonthArchive.PutAsync(entries);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Dealer {Dealer} could not archive months {Months}; it keeps them for now", Key, string.Join(", ", months));
            return null;
        }
        DealerMonthArchive.MarkArchived(state.State, months);
        return entries;
    }

    private IDealerMonthArchiveGrain MonthArchive => GrainFactory.GetGrain<IDealerMonthArchiveGrain>(DealerMonthArchive.Key(Key));

    public async Task<OrderRefPage> ListOrdersAsync(string? afterId, long? afterPosition, int first) =>
        await OrdersFromAsync(afterId is null ? 0 : await PositionAfterAsync(afterId, afterPosition), first);

    public Task<OrderRefPage> ListOrdersAsync(string? afterId, int first) => ListOrdersAsync(afterId, null, first);

    public Task<OrderRefPage> ListLatestOrdersAsync(int last) => OrdersFromAsync(Math.Max(0, OrderCount - last), last);

    private async Task<OrderRefPage> OrdersFromAsync(long start, int first)
    {
        var page = new List<OrderRef>(Math.Min(first, DealerOrderPages.PageSize));
        for (var at = start; at < OrderCount && page.Count < first;)
        {
            var (held, from) = await OrderPageHoldingAsync(at);
            var taken = held.Skip((int)(at - from)).Take(first - page.Count).ToArray();
            if (taken.Length == 0) break; // a page shorter than it should be: list what there is
            page.AddRange(taken);
            at += taken.Length;
        }
        return new OrderRefPage(page, start + page.Count < OrderCount, start);
    }

    private long SealedOrderCount => (long)state.State.SealedOrderPages * DealerOrderPages.PageSize;

    private long OrderCount => SealedOrderCount + state.State.Orders.Count;

    /// <summary>The page that holds the order at <paramref name="position"/>, and the position of its first order.</summary>
    private async Task<(IReadOnlyList<OrderRef> Orders, long First)> OrderPageHoldingAsync(long position)
    {
        if (position >= SealedOrderCount) return (state.State.Orders, SealedOrderCount);
        var page = (int)(position / DealerOrderPages.PageSize);
        return (await OrderPage(page).GetAsync(), (long)page * DealerOrderPages.PageSize);
    }

    /// <summary>Sealed pages a cursor without a position is looked for in, newest first, before it is refused.</summary>
    private const int MaxPagesSearched = 4;

    /// <summary>
    /// The position after <paramref name="afterId"/>: where the cursor's position says, if it names that order there;
    /// for a cursor without one (issued before order pages existed), found in this dealer's page or its newest sealed
    /// ones. A cursor that names another position, or an order further back, is refused rather than searched for:
    /// the dealer serves nothing else meanwhile.
    /// </summary>
    private async Task<long> PositionAfterAsync(string afterId, long? position)
    {
        if (position is { } at)
        {
            if (at >= 0 && at < OrderCount)
            {
                var (held, from) = await OrderPageHoldingAsync(at);
                if (at - from < held.Count && held[(int)(at - from)].Id == afterId) return at + 1;
            }
            throw ChannelException.Validation("after does not name an order of this dealer.");
        }
        var index = DealerOrderPages.IndexOf(state.State.Orders, afterId);
        if (index >= 0) return SealedOrderCount + index + 1;
        for (var page = state.State.SealedOrderPages - 1; page >= Math.Max(0, state.State.SealedOrderPages - MaxPagesSearched); page--)
        {
            var held = DealerOrderPages.IndexOf(await OrderPage(page).GetAsync(), afterId);
            if (held >= 0) return (long)page * DealerOrderPages.PageSize + held + 1;
        }
        throw ChannelException.Validation($"after does not name one of the last {MaxPagesSearched * DealerOrderPages.PageSize} orders of this dealer: list again from the start.");
    }

    /// <summary>
    /// Moves full pages of the oldest orders out of the state, each into its page grain, before the state is written
    /// again. The page is stored first: a dealer that dies before its next write seals the same orders again.
    /// </summary>
    private async Task SealFullOrderPagesAsync()
    {
        while (state.State.Orders.Count >= DealerOrderPages.PageSize)
        {
            await OrderPage(state.State.SealedOrderPages).SealAsync(state.State.Orders.GetRange(0, DealerOrderPages.PageSize));
            state.State.Orders.RemoveRange(0, DealerOrderPages.PageSize);
            state.State.SealedOrderPages++;
        }
    }

    private IDealerOrderPageGrain OrderPage(int page) =>
        GrainFactory.GetGrain<IDealerOrderPageGrain>(DealerOrderPages.Key(Key, page));

    public async Task RequestSpecialPriceAsync(string approvalId, SpecialPrice price)
    {
        var info = state.State.Info ?? throw ChannelException.NotFound($"Dealer {Id}");
        if (state.State.SpecialPrices?.TryGetValue(approvalId, out var requested) == true)
        {
            if (requested with { Status = price.Status } != price) throw ChannelException.Validation("This special price request was made with other terms.");
            return;
        }
        if (!(info.AuthorizedSkus ?? []).Contains(price.Sku))
            throw new ChannelException(ErrorCodes.NotAuthorized, $"Dealer {Id} is not authorised for {price.Sku}.");
        (state.State.SpecialPrices ??= new(StringComparer.Ordinal))[approvalId] = price with { Status = Approvals.ApprovalStatus.Pending };
        await SaveAsync();
    }

    public async Task DecideSpecialPriceAsync(string approvalId, bool approved)
    {
        if (state.State.SpecialPrices?.GetValueOrDefault(approvalId) is not { Status: Approvals.ApprovalStatus.Pending } price) return;
        state.State.SpecialPrices![approvalId] = price with { Status = approved ? Approvals.ApprovalStatus.Approved : Approvals.ApprovalStatus.Rejected };
        await SaveAsync();
    }

    public async Task DropSpecialPriceRequestAsync(string approvalId)
    {
        if (state.State.SpecialPrices?.GetValueOrDefault(approvalId) is not { Status: Approvals.ApprovalStatus.Pending }) return;
        state.State.SpecialPrices!.Remove(approvalId);
        if (state.State.SpecialPrices.Count == 0) state.State.SpecialPrices = null;
        await SaveAsync();
    }

    public Task<decimal?> GetSpecialPriceAsync(string sku, DateTime at) =>
        Task.FromResult((state.State.SpecialPrices?.Values ?? Enumerable.Empty<SpecialPrice>()).Where(p => p.Covers(sku, at)).Select(p => (decimal?)p.Price).Min());

    public async Task DecideAdmissionAsync(bool approved)
    {
        if (!approved || state.State.Info is not { Status: DealerStatus.Pending } info) return;
        state.State.Info = info with { Status = DealerStatus.Admitted };
        await SaveAsync();
    }

    /// <summary>串货: a line sold to a store outside the dealer's region is accepted, and raises an alert.</summary>
    private async Task<IReadOnlyList<CrossRegionAlert>> CrossRegionAlertsAsync(DealerInfo info, SellOutReport report)
    {
        var tenant = Names.Tenant;
        // Each store once, without a set for the few stores most reports name (a set and LINQ's Distinct were 4 % of
        // the ceiling's bytes allocated).
        var storeIds = new List<string>(report.Lines.Count);
        HashSet<string>? seen = report.Lines.Count > 16 ? new(StringComparer.Ordinal) : null;
        foreach (var line in report.Lines)
            if (line.StoreId is { } store && (seen?.Add(store) ?? !storeIds.Contains(store))) storeIds.Add(store);
        var stores = await Task.WhenAll(storeIds.Select(id => GrainFactory.GetGrain<IStoreGrain>(Keys.Of(tenant, id)).GetAsync()));
        var regions = new Dictionary<string, string>(storeIds.Count, StringComparer.Ordinal);
        for (var i = 0; i < storeIds.Count; i++)
            regions[storeIds[i]] = stores[i]?.Region ?? throw ChannelException.Validation($"store {storeIds[i]} does not exist.");
        List<CrossRegionAlert>? alerts = null;
        foreach (var line in report.Lines)
            if (line.StoreId is { } store && !RegionPath.IsWithin(regions[store], info.Region))
                (alerts ??= []).Add(new CrossRegionAlert(Id, info.Region, store, regions[store], line.Sku, line.Quantity, report.Date, report.RequestId));
        return alerts ?? [];
    }

    /// <summary>
    /// Persists, then publishes the dealer and its contributions for the current month and <paramref name="months"/>,
    /// and for the months archived on the way (published once more, and due in the heal, as if they had changed).
    /// </summary>
    private async Task SaveAsync(params string[] months)
    {
        var current = Period.MonthKey(clock.GetUtcNow().UtcDateTime);
        try
        {
            await RestoreMonthsAsync(current); // archived by a silo whose clock ran months ahead
            DealerLedger.SnapshotCurrentMonth(state.State, current);
        }
        catch
        {
            DeactivateOnIdle(); // the caller changed the state already: it must not outlive this failed write
            throw;
        }
        var changed = WithCurrent(months, current);
        var archived = await TryArchiveMonthsAsync(current, changed);
        TrackRecentlyArchived(archived);
        state.State.Version++;
        await state.PersistAsync(this);
        await this.PublishChangeAsync(StreamNames.Dealer, Key, () => View()!, logger);
        if (archived is not null) changed = [.. changed, .. archived.Keys];
        heal.Changed(Key, changed);
        PublishMonths(changed, archived);
    }

    private void TrackRecentlyArchived(Dictionary<string, ArchivedMonth>? archived)
    {
        if (archived is null && state.State.RecentlyArchived is null) return;
        var key = Key;
        DealerMonthArchive.TrackRecent(state.State, archived?.Keys, m => heal.IsDue(key, m));
    }

    /// <summary>The months and the current one, each once, in that order.</summary>
    private static string[] WithCurrent(string[] months, string current)
    {
        if (months.Length == 0) return [current];
        if (months is [var only] && only == current) return months;
        var all = new List<string>(months.Length + 1);
        foreach (var month in months)
            if (!all.Contains(month)) all.Add(month);
        if (!all.Contains(current)) all.Add(current);
        return [.. all];
    }

    /// <summary>The months whose figures an order change touches, each once: those of confirmed orders (sell-in), given or null.</summary>
    private static string[] CountedMonths(string? month, string? other = null) =>
        month is null ? (other is null ? [] : [other]) : other is null || other == month ? [month] : [month, other];

    /// <summary>Publishes the contributions of these months, held in the state or given from the archive; others are skipped.</summary>
    private void PublishMonths(IEnumerable<string> months, IReadOnlyDictionary<string, ArchivedMonth>? archived = null)
    {
        if (state.State.Info is null) return;
        var (_, tenant, _, source) = Names;
        var contributions = new List<Contribution>();
        foreach (var month in months)
        {
            if (state.State.Months.ContainsKey(month)) contributions.Add(DealerLedger.Contribution(state.State, tenant, source, month));
            else if (archived?.GetValueOrDefault(month) is { } gone) contributions.Add(DealerLedger.Contribution(tenant, source, state.State.Version, month, gone.Figures, gone.QuotaTarget));
        }
        if (contributions.Count > 0) this.PublishContributions(contributions, listsChecked: true); // the months' lists are checked as taken
    }

    private static bool SameInfo(DealerInfo a, DealerInfo b) =>
        a with { AuthorizedSkus = null } == b with { AuthorizedSkus = null }
        && (a.AuthorizedSkus ?? []).SequenceEqual(b.AuthorizedSkus ?? []);

    private DealerView? View() => state.State.Info is { } info
        ? new DealerView(info.Id, info.Name, info.Region, info.Tier, info.Status, info.CreditLimit, DealerLedger.CreditUsed(state.State),
            info.AuthorizedSkus ?? [], state.State.Inventory.Values.OrderBy(s => s.Sku, StringComparer.Ordinal).ToArray(), state.State.Version)
        : null;
}
