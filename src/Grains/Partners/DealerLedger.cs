using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ChannelGrains.Partners;

/// <summary>
/// An order that holds credit: placed and not yet received, cancelled or rejected. <see cref="Settled"/> once the
/// order was seen to stand, so the audit for interrupted sagas skips it.
/// </summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.OpenOrder")]
public sealed record class OpenOrder(
    [property: Id(0)] decimal Amount,
    [property: Id(1)] string Month,
    [property: Id(2)] bool Confirmed,
    [property: Id(3)] DateTime At,
    [property: Id(4)] bool Settled,
    [property: Id(5)] IReadOnlyList<Ordering.OrderLine> Lines) : IPackable<OpenOrder>
{
    public void PackInto(ref PackedWriter writer)
    {
        writer.Decimal(Amount);
        writer.String(Month);
        writer.Bool(Confirmed);
        writer.DateTime(At);
        writer.Bool(Settled);
        writer.VarUInt((uint)Lines.Count);
        foreach (var line in Lines)
        {
            writer.String(line.Sku);
            writer.VarInt(line.Quantity);
            writer.Decimal(line.UnitPrice);
            writer.NullableString(line.PromotionId);
        }
    }

    public static OpenOrder Unpack(ref PackedReader reader)
    {
        var (amount, month, confirmed, at, settled) = (reader.Decimal(), reader.String(), reader.Bool(), reader.DateTime(), reader.Bool());
        var lines = new Ordering.OrderLine[reader.Count()];
        for (var i = 0; i < lines.Length; i++) lines[i] = new Ordering.OrderLine(reader.String(), reader.Int32(), reader.Decimal(), reader.NullableString());
        return new OpenOrder(amount, month, confirmed, at, settled, lines);
    }
}

/// <summary>A price below the floor for one dealer, SKU and date range; it covers orders once approved (rule 4).</summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.SpecialPrice")]
public sealed record class SpecialPrice(
    [property: Id(0)] string Sku,
    [property: Id(1)] decimal Price,
    [property: Id(2)] DateTime ValidFrom,
    [property: Id(3)] DateTime ValidTo,
    [property: Id(4)] Approvals.ApprovalStatus Status)
{
    public bool Covers(string sku, DateTime at) =>
        Status == Approvals.ApprovalStatus.Approved && Sku == sku && ValidFrom <= at && at <= ValidTo;
}

[GenerateSerializer, Immutable, Alias("ChannelGrains.OrderRef")]
public sealed record class OrderRef([property: Id(0)] string Id, [property: Id(1)] DateTime PlacedAt) : IPackable<OrderRef>
{
    /// <summary>A dealer's order list changes with an order and is written by every change of the dealer.</summary>
    public static bool KeepPacked => true;

    public void PackInto(ref PackedWriter writer)
    {
        writer.String(Id);
        writer.DateTime(PlacedAt);
    }

    public static OrderRef Unpack(ref PackedReader reader) => new(reader.String(), reader.DateTime());
}

[GenerateSerializer, Immutable, Alias("ChannelGrains.SkuQuantity")]
public sealed record class SkuQuantity([property: Id(0)] string Sku, [property: Id(1)] int Quantity);

[GenerateSerializer, Immutable, Alias("ChannelGrains.SellOutLine")]
public sealed record class SellOutLine(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] decimal Amount,
    [property: Id(3)] string? StoreId);

[GenerateSerializer, Immutable, Alias("ChannelGrains.SellOutReport")]
public sealed record class SellOutReport(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string DealerId,
    [property: Id(2)] DateTime Date,
    [property: Id(3)] IReadOnlyList<SellOutLine> Lines)
{
    /// <summary>
    /// The first 128 bits of a SHA-256 of the request id, the dealer, the date and every line, each amount without
    /// trailing zeros (3.30 and 3.3 are one amount): equal for a retry of this report, different for any other.
    /// </summary>
    public ReportDigest Digest()
    {
        using var bytes = new MemoryStream(64 + 64 * Lines.Count);
        using (var writer = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true)) // strings go through Text, not the encoding
        {
            Text(writer, RequestId);
            Text(writer, DealerId);
            writer.Write(Date.Ticks);
            writer.Write(Lines.Count);
            foreach (var line in Lines)
            {
                Text(writer, line.Sku);
                writer.Write(line.Quantity);
                writer.Write(line.Amount == 0m ? 0m : line.Amount / 1.0000000000000000000000000000m);
                writer.Write(line.StoreId is not null);
                if (line.StoreId is not null) Text(writer, line.StoreId);
            }
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), hash);
        return new(BinaryPrimitives.ReadUInt64BigEndian(hash), BinaryPrimitives.ReadUInt64BigEndian(hash[8..]));
    }

    /// <summary>Length, then the UTF-16 code units as they are: no encoding step that could make two strings alike.</summary>
    private static void Text(BinaryWriter writer, string text)
    {
        writer.Write(text.Length);
        foreach (var unit in text) writer.Write((ushort)unit);
    }
}

/// <summary>
/// What a dealer keeps of a sell-out report it applied (<see cref="SellOutReport.Digest"/>): enough to apply a retry
/// once and to refuse another report under the same request id, in 16 bytes instead of the report's lines, which
/// every later write of the dealer would otherwise carry for good.
/// </summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.ReportDigest")]
public readonly record struct ReportDigest([property: Id(0)] ulong High, [property: Id(1)] ulong Low);

/// <summary>串货: goods sold to a store outside the dealer's region.</summary>
[GenerateSerializer, Alias("ChannelGrains.CrossRegionAlert")]
public sealed record class CrossRegionAlert(
    [property: Id(0)] string DealerId,
    [property: Id(1)] string DealerRegion,
    [property: Id(2)] string StoreId,
    [property: Id(3)] string StoreRegion,
    [property: Id(4)] string Sku,
    [property: Id(5)] int Quantity,
    [property: Id(6)] DateTime At,
    [property: Id(7)] string RequestId);

[GenerateSerializer, Alias("ChannelGrains.QuotaProgress")]
public sealed record class QuotaProgress(
    [property: Id(0)] string OwnerId,
    [property: Id(1)] string Period,
    [property: Id(2)] decimal Target,
    [property: Id(3)] decimal Achieved)
{
    public double Ratio => Target == 0 ? 0 : (double)(Achieved / Target);
}

/// <summary>
/// The dealer's 进销存 and credit rules over its state, without the grain: credit used is the value of open orders;
/// shipped goods are in transit until received; sell-out never takes stock below zero; quota achieved is confirmed sell-in.
/// </summary>
public static class DealerLedger
{
    public const int MaxSellOutLines = 500;

    public static decimal CreditUsed(DealerState state) => state.OpenOrders.Values.Sum(o => o.Amount);

    /// <summary>
    /// Rules 3 and 6: an admitted dealer, authorised SKUs, and credit for the whole order; and room for its units (see
    /// <see cref="EnsureRoomFor"/>).
    /// </summary>
    public static void EnsureCanOrder(DealerState state, string dealerId, IReadOnlyList<Ordering.OrderLine> lines, decimal amount)
    {
        var skus = lines.Select(l => l.Sku);
        var info = state.Info ?? throw ChannelException.NotFound($"Dealer {dealerId}");
        if (info.Status != DealerStatus.Admitted)
            throw new ChannelException(ErrorCodes.NotAuthorized, $"Dealer {dealerId} is {ChannelException.ApiName(info.Status)}; only admitted dealers order.");
        var unauthorised = skus.Where(s => !(info.AuthorizedSkus ?? []).Contains(s)).ToArray();
        if (unauthorised.Length > 0)
            throw new ChannelException(ErrorCodes.NotAuthorized, $"Dealer {dealerId} is not authorised for {string.Join(", ", unauthorised)}.");
        var used = CreditUsed(state);
        if (used + amount > info.CreditLimit)
            throw new ChannelException(ErrorCodes.CreditLimitExceeded,
                $"Open orders {used} + this order {amount} exceed the credit limit {info.CreditLimit} of dealer {dealerId}.");
        EnsureRoomFor(state, dealerId, lines.Sum(l => (long)l.Quantity));
    }

    /// <summary>
    /// A dealer holds at most <see cref="Validate.MaxUnits"/> units once every open order has arrived: on hand, and
    /// ordered or in transit (an open order's units, until received). Its stock figures then never overflow.
    /// </summary>
    private static void EnsureRoomFor(DealerState state, string dealerId, long units)
    {
        long held = 0;
        foreach (var level in state.Inventory.Values) held += level.OnHand;
        foreach (var open in state.OpenOrders.Values)
            foreach (var line in open.Lines) held += line.Quantity;
        if (held + units > Validate.MaxUnits)
            throw ChannelException.Validation($"Dealer {dealerId} would hold {held + units:N0} units with this order: at most {Validate.MaxUnits:N0}.");
    }

    /// <summary>An order stops holding credit and, if it counted, stops counting as sell-in. False when it held none.</summary>
    public static bool Close(DealerState state, string orderId)
    {
        if (!state.OpenOrders.Remove(orderId, out var open)) return false;
        if (open.Confirmed) CountSellIn(state, open, sign: -1);
        return true;
    }

    /// <summary>A confirmed order counts in its month (sign 1), or stops counting (sign -1).</summary>
    public static void CountSellIn(DealerState state, OpenOrder order, int sign)
    {
        var month = Month(state, order.Month);
        month.OrderCount += sign;
        month.OrderValue += sign * order.Amount;
        foreach (var line in order.Lines)
            AddToSku(month, line.Sku, s => s with { OrderUnits = s.OrderUnits + sign * line.Quantity, OrderValue = s.OrderValue + sign * line.Amount });
    }

    /// <summary>
    /// The current month follows the dealer: its stock figures become the dealer's stock now (its end-of-month stock
    /// once the month is over), and it is booked in the dealer's region and tier. Runs at every save: after the first
    /// snapshot of a month, the next one of the same month looks only at the SKUs whose stock moved since (see
    /// <see cref="DealerState.SnapshotMonth"/>), unless the region or tier changed. The others' records hold still: a
    /// snapshot leaves a record for every SKU in stock, records are never taken out, and a record a flow adds later
    /// (a SKU ordered or sold for the first time in the month) starts with no stock, which is right for a SKU not in
    /// stock; one whose stock moved since is redone.
    /// </summary>
    public static void SnapshotCurrentMonth(DealerState state, string monthKey)
    {
        var month = Month(state, monthKey);
        var info = state.Info!;
        if (ReferenceEquals(state.SnapshotMonth, month) && month.Region == info.Region && month.Tier == info.Tier)
        {
            foreach (var sku in state.StockMoved ?? [])
            {
                var stock = state.Inventory.GetValueOrDefault(sku) is { } level ? level.OnHand + level.InTransit : 0;
                month.StockUnits = checked(month.StockUnits - SetStock(month, sku, stock) + stock);
            }
        }
        else
        {
            month.Region = info.Region;
            month.Tier = info.Tier;
            var units = 0;
            foreach (var level in state.Inventory.Values)
            {
                var stock = level.OnHand + level.InTransit;
                units = checked(units + stock);
                SetStock(month, level.Sku, stock);
            }
            month.StockUnits = units;
        }
        state.StockMoved?.Clear();
        state.SnapshotMonth = month;
    }

    /// <summary>Sets a SKU's stock in the month; the stock its record held before (0 if none). A SKU whose stock did not move keeps its record.</summary>
    private static int SetStock(DealerMonth month, string sku, int stock)
    {
        var held = month.Skus.GetValueOrDefault(sku);
        if (held is null) month.Skus[sku] = Analytics.SkuFigures.Empty(sku, stock);
        else if (held.StockUnits != stock) month.Skus[sku] = held with { StockUnits = stock };
        return checked((int)(held?.StockUnits ?? 0)); // one dealer's stock of a SKU: at most Validate.MaxUnits
    }

    /// <summary>
    /// The dealer's figures of a month, booked in its current region when the month is new. An archived month must be
    /// brought back first: starting it again here would replace its figures with nothing.
    /// </summary>
    public static DealerMonth Month(DealerState state, string month)
    {
        if (!state.Months.TryGetValue(month, out var figures))
        {
            if (DealerMonthArchive.IsArchived(state, month))
                throw new InvalidOperationException($"Month {month} of dealer {state.Info?.Id} is archived: restore it before changing it.");
            state.Months[month] = figures = new DealerMonth { Region = state.Info?.Region ?? "", Tier = state.Info?.Tier ?? default };
        }
        return figures;
    }

    /// <summary>
    /// What the dealer contributes to the live aggregates for one month it holds (rule 17: current totals, versioned),
    /// as the source <paramref name="sourceId"/> (<see cref="Analytics.Contribution.DealerSource"/>).
    /// </summary>
    public static Analytics.Contribution Contribution(DealerState state, string tenant, string sourceId, string month) =>
        Contribution(tenant, sourceId, state.Version, month, state.Months[month], state.Quotas?.GetValueOrDefault(month) ?? 0m);

    /// <summary>What the dealer contributes for one month, held or archived, at the dealer's version <paramref name="version"/>.</summary>
    public static Analytics.Contribution Contribution(string tenant, string sourceId, long version, string month, DealerMonth figures, decimal quotaTarget) =>
        new Analytics.Contribution(tenant, sourceId, version, figures.Region, figures.Tier, month,
            new Analytics.ChannelFigures
            {
                OrderCount = figures.OrderCount,
                OrderValue = figures.OrderValue,
                SellOutValue = figures.SellOutValue,
                ChannelStockUnits = figures.StockUnits,
                QuotaTarget = quotaTarget,
                QuotaAchieved = figures.OrderValue,
                CrossRegionAlerts = figures.CrossRegionAlerts,
            },
            figures.CheckedSkus(),
            figures.CheckedWeeks(month));

    private static void AddToSku(DealerMonth month, string sku, Func<Analytics.SkuFigures, Analytics.SkuFigures> change) =>
        month.Skus[sku] = change(month.Skus.GetValueOrDefault(sku) ?? Analytics.SkuFigures.Empty(sku));

    public static void Ship(DealerState state, string orderId, IReadOnlyList<SkuQuantity> lines)
    {
        (state.Shipments ??= new(StringComparer.Ordinal))[orderId] = [.. lines];
        foreach (var line in lines) Adjust(state, line.Sku, onHand: 0, inTransit: line.Quantity);
    }

    public static void Receive(DealerState state, string orderId)
    {
        if (state.Shipments is null || !state.Shipments.Remove(orderId, out var lines)) return;
        foreach (var line in lines) Adjust(state, line.Sku, onHand: line.Quantity, inTransit: -line.Quantity);
        state.OpenOrders.Remove(orderId);
    }

    /// <summary>Rule 5: the whole report is refused when any SKU would go below zero on hand.</summary>
    public static void SellOut(DealerState state, SellOutReport report)
    {
        foreach (var line in report.Lines.GroupBy(l => l.Sku))
        {
            var onHand = state.Inventory.GetValueOrDefault(line.Key)?.OnHand ?? 0;
            var sold = line.Sum(l => (long)l.Quantity); // lines of one SKU may add up beyond an int
            if (sold > onHand)
                throw new ChannelException(ErrorCodes.InsufficientStock, $"Dealer {report.DealerId} holds {onHand} of {line.Key} and reports {sold} sold.");
        }
        var month = Month(state, Period.MonthKey(report.Date));
        var week = Analytics.IsoWeeks.Of(DateOnly.FromDateTime(report.Date));
        foreach (var line in report.Lines)
        {
            Adjust(state, line.Sku, onHand: -line.Quantity, inTransit: 0);
            month.SellOutValue += line.Amount;
            AddToSku(month, line.Sku, s => s with { SellOutUnits = s.SellOutUnits + line.Quantity, SellOutValue = s.SellOutValue + line.Amount });
            var key = Analytics.WeeklySellOut.KeyOf(line.Sku, week);
            month.Weeks[key] = month.Weeks.GetValueOrDefault(key) is { } held ? held with { Units = held.Units + line.Quantity } : new Analytics.WeeklySellOut(line.Sku, week, line.Quantity);
        }
    }

    public static SellOutReport ValidatedSellOut(SellOutReport report)
    {
        Validate.Id(report.RequestId, "requestId");
        Validate.Id(report.DealerId, "dealerId");
        Validate.Date(report.Date, "date");
        if (report.Lines is null || report.Lines.Count == 0) throw ChannelException.Validation("A sell-out report needs at least one line.");
        if (report.Lines.Count > MaxSellOutLines) throw ChannelException.Validation($"A sell-out report holds at most {MaxSellOutLines} lines.");
        foreach (var line in report.Lines)
        {
            Validate.Id(line.Sku, "lines.sku");
            Validate.Positive(line.Quantity, "lines.quantity");
            Validate.Money(line.Amount, "lines.amount");
            if (line.StoreId is not null) Validate.Id(line.StoreId, "lines.storeId");
        }
        return report;
    }

    /// <summary>The months of a period, as YYYY-MM.</summary>
    public static string[] MonthsOf(string period) => [.. Period.Parse(period).Months().Select(m => m.ToString())];

    /// <summary>Quota progress over a period: its months' targets and confirmed sell-in, held in the state or given from the archive.</summary>
    public static QuotaProgress Quota(DealerState state, string dealerId, string period, IReadOnlyDictionary<string, ArchivedMonth>? archived = null)
    {
        var months = MonthsOf(period);
        decimal target = 0m, achieved = 0m;
        foreach (var month in months)
        {
            if (archived?.GetValueOrDefault(month) is { } gone)
            {
                target += gone.QuotaTarget;
                achieved += gone.Figures.OrderValue;
                continue;
            }
            target += state.Quotas?.GetValueOrDefault(month) ?? 0m;
            achieved += state.Months.GetValueOrDefault(month)?.OrderValue ?? 0m;
        }
        return new QuotaProgress(dealerId, period, target, achieved);
    }

    private static void Adjust(DealerState state, string sku, int onHand, int inTransit)
    {
        var level = state.Inventory.GetValueOrDefault(sku) ?? new StockLevel(sku, 0, 0);
        state.Inventory[sku] = level with { OnHand = level.OnHand + onHand, InTransit = level.InTransit + inTransit };
        state.MovedStock(sku);
    }
}
