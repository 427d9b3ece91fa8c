using ChannelGrains.Analytics;

namespace ChannelGrains.Partners;

/// <summary>One SKU of an imported month: sell-in, sell-out, and the units the dealer held at the month's end.</summary>
[GenerateSerializer, Alias("ChannelGrains.HistoricSku")]
public sealed record class HistoricSku(
    [property: Id(0)] string Sku,
    [property: Id(1)] int OrderUnits,
    [property: Id(2)] decimal OrderValue,
    [property: Id(3)] int SellOutUnits,
    [property: Id(4)] decimal SellOutValue,
    [property: Id(5)] int EndStockUnits);

/// <summary>
/// A finished month of a dealer as a legacy system recorded it. The month's order, sell-out and stock totals are the
/// sums of its SKUs; <see cref="Weeks"/> (sell-out units per SKU and ISO week) is optional, for demand planning.
/// </summary>
[GenerateSerializer, Alias("ChannelGrains.HistoricMonth")]
public sealed record class HistoricMonth(
    [property: Id(0)] string Month,
    [property: Id(1)] int OrderCount,
    [property: Id(2)] IReadOnlyList<HistoricSku> Skus,
    [property: Id(3)] decimal QuotaTarget,
    [property: Id(4)] IReadOnlyList<WeeklySellOut>? Weeks = null);

/// <summary>
/// A migration from a legacy system: finished months replace what the dealer holds for them, and an optional opening
/// stock on hand per SKU starts the dealer's live stock.
/// </summary>
[GenerateSerializer, Alias("ChannelGrains.DealerHistoryImport")]
public sealed record class DealerHistoryImport(
    [property: Id(0)] IReadOnlyList<HistoricMonth> Months,
    [property: Id(1)] IReadOnlyList<SkuQuantity>? OpeningStock = null);

/// <summary>
/// The rules of a history import, without the grain. Only finished months can be imported: the current month is
/// live and only real orders and sell-out change it. An import replaces the months it names, so importing the same
/// history twice gives the same figures. The opening stock sets on-hand stock, so it is accepted only while the
/// dealer's stock has never moved live (no order placed, no sell-out reported).
/// </summary>
public static class DealerHistoryRules
{
    public const int MaxMonths = 120;
    public const int MaxWeeksPerMonth = 2_000;

    /// <summary>
    /// SKU rows and weekly rows an import holds in all: every write of the dealer stores its months again, so one
    /// import may not make them huge (12 months of 500 SKUs are 6,000 rows).
    /// </summary>
    public const int MaxRowsPerImport = 20_000;

    public static DealerHistoryImport Validated(DealerHistoryImport import, Period currentMonth)
    {
        if (import.Months is null || (import.Months.Count == 0 && (import.OpeningStock?.Count ?? 0) == 0))
            throw ChannelException.Validation("An import needs at least one month or an opening stock.");
        if (import.Months.Count > MaxMonths) throw ChannelException.Validation($"An import holds at most {MaxMonths} months.");
        if (import.Months.Sum(m => (m?.Skus?.Count ?? 0) + (m?.Weeks?.Count ?? 0)) > MaxRowsPerImport)
            throw ChannelException.Validation($"An import holds at most {MaxRowsPerImport} SKU and weekly rows in all; split it by months.");
        var current = currentMonth.ToString();
        var months = new HashSet<string>(StringComparer.Ordinal);
        foreach (var month in import.Months)
        {
            var period = Period.Parse(month?.Month).EnsureMonth();
            if (string.CompareOrdinal(period.ToString(), current) >= 0)
                throw ChannelException.Validation($"Month {period} is not finished: only months before {current} can be imported; the current month is live.");
            if (!months.Add(period.ToString())) throw ChannelException.Validation($"Month {period} appears twice.");
            ValidateMonth(month!, period);
        }
        if (import.OpeningStock?.Count > DealerRules.MaxAuthorizedSkus) throw ChannelException.Validation($"An opening stock holds at most {DealerRules.MaxAuthorizedSkus} SKUs.");
        Unique(import.OpeningStock ?? [], s => Validate.Id(s.Sku, "openingStock.sku"), "openingStock");
        foreach (var level in import.OpeningStock ?? []) Validate.Units(level.Quantity, "openingStock.quantity");
        Validate.Units((import.OpeningStock ?? []).Sum(s => (long)s.Quantity), "openingStock's total");
        return import;
    }

    /// <summary>Replaces the imported months and quotas, and sets the opening stock; the months changed, for publishing.</summary>
    public static string[] Apply(DealerState state, DealerHistoryImport import)
    {
        var info = state.Info ?? throw new InvalidOperationException("Only an existing dealer imports history.");
        if (import.OpeningStock is { Count: > 0 } opening)
        {
            if (state.Orders.Count > 0 || state.SealedOrderPages > 0 || DealerReceipts.Any(state))
                throw new ChannelException(ErrorCodes.InvalidTransition,
                    $"Dealer {info.Id} has live stock movements (orders or sell-out): its opening stock can no longer be set.");
            // With what an earlier opening stock set for other SKUs (no order brings more: none was placed).
            Validate.Units(state.Inventory.Values.Where(l => !opening.Any(o => o.Sku == l.Sku)).Sum(l => (long)l.OnHand) + opening.Sum(o => (long)o.Quantity),
                $"Dealer {info.Id}'s stock on hand with this opening stock");
            foreach (var level in opening)
            {
                state.Inventory[level.Sku] = new StockLevel(level.Sku, level.Quantity, 0);
                state.MovedStock(level.Sku);
            }
        }
        foreach (var month in import.Months)
        {
            DealerMonthArchive.Unmark(state, month.Month); // replaced whole: its archived copy is not read again
            state.Months[month.Month] = Figures(month, info);
            (state.Quotas ??= new(StringComparer.Ordinal))[month.Month] = month.QuotaTarget;
        }
        return import.Months.Select(m => m.Month).ToArray();
    }

    private static DealerMonth Figures(HistoricMonth month, DealerInfo info)
    {
        var figures = new DealerMonth
        {
            Region = info.Region,
            Tier = info.Tier,
            OrderCount = month.OrderCount,
            OrderValue = month.Skus.Sum(s => s.OrderValue),
            SellOutValue = month.Skus.Sum(s => s.SellOutValue),
            StockUnits = month.Skus.Sum(s => s.EndStockUnits),
        };
        foreach (var sku in month.Skus)
            figures.Skus[sku.Sku] = new Analytics.SkuFigures(sku.Sku, sku.OrderUnits, sku.OrderValue, sku.SellOutUnits, sku.SellOutValue, sku.EndStockUnits);
        foreach (var week in month.Weeks ?? []) figures.Weeks[WeeklySellOut.OwnKey(week)] = week;
        return figures;
    }

    private static void ValidateMonth(HistoricMonth month, Period period)
    {
        Validate.Units(month.OrderCount, "orderCount");
        Validate.Money(month.QuotaTarget, "quotaTarget");
        if (month.Skus is null) throw ChannelException.Validation($"Month {period} needs its SKUs (an empty list when there were none).");
        if (month.Skus.Count > DealerRules.MaxAuthorizedSkus) throw ChannelException.Validation($"A month holds at most {DealerRules.MaxAuthorizedSkus} SKUs.");
        Unique(month.Skus, s => Validate.Id(s.Sku, "skus.sku"), "skus");
        foreach (var sku in month.Skus)
        {
            Validate.Units(sku.OrderUnits, "orderUnits");
            Validate.Money(sku.OrderValue, "orderValue");
            Validate.Units(sku.SellOutUnits, "sellOutUnits");
            Validate.Money(sku.SellOutValue, "sellOutValue");
            Validate.Units(sku.EndStockUnits, "endStockUnits");
        }
        // The month's totals are what its figures and the aggregates above it add up.
        Validate.Units(month.Skus.Sum(s => (long)s.OrderUnits), $"{period}'s orderUnits in all");
        Validate.Units(month.Skus.Sum(s => (long)s.SellOutUnits), $"{period}'s sellOutUnits in all");
        Validate.Units(month.Skus.Sum(s => (long)s.EndStockUnits), $"{period}'s endStockUnits in all");
        var weeks = month.Weeks ?? [];
        if (weeks.Count > MaxWeeksPerMonth) throw ChannelException.Validation($"A month holds at most {MaxWeeksPerMonth} weekly figures.");
        Unique(weeks, w => $"{Validate.Id(w.Sku, "weeks.sku")} {w.Week}", "weeks");
        foreach (var week in weeks)
        {
            if (!IsoWeeks.Overlaps(week.Week, period)) throw ChannelException.Validation($"Week {week.Week} has no day in {period}.");
            Validate.Units(week.Units, "weeks.units");
        }
        Validate.Units(weeks.Sum(w => (long)w.Units), $"{period}'s weekly units in all");
    }

    private static void Unique<T>(IEnumerable<T> items, Func<T, string> key, string field)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item is null) throw ChannelException.Validation($"{field} holds an empty entry.");
            if (!seen.Add(key(item))) throw ChannelException.Validation($"{field}: '{key(item)}' appears twice.");
        }
    }
}
