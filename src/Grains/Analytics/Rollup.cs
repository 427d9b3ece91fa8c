using ChannelGrains.Partners;

namespace ChannelGrains.Analytics;

/// <summary>
/// The arithmetic of the aggregates. Every aggregate is recomputed from the latest value of each of its inputs, never
/// kept as a running sum of deltas, so it is exact whatever order, repetition or loss its inputs went through.
/// </summary>
public static class Rollup
{
    /// <summary>The plain sum of contributions (one region's sources in one month).</summary>
    public static ChannelTotals OfSources(IEnumerable<Contribution> contributions)
    {
        var sum = new Accumulator();
        foreach (var c in contributions) sum.Add(c);
        return sum.ToTotals();
    }

    /// <summary>The plain sum of totals: a month node from its shards' parts and its children's totals.</summary>
    public static ChannelTotals Sum(IEnumerable<ChannelTotals> totals)
    {
        var sum = new Accumulator();
        foreach (var t in totals) sum.Add(t);
        return sum.ToTotals();
    }

    /// <summary>
    /// A quarter or a year from its months. Flows are the sum of the months. Channel stock is a stock, not a flow:
    /// a period's stock (in total, per tier and per SKU) is that of its latest month with data, i.e. the stock at the
    /// end of the period as far as it has happened.
    /// </summary>
    public static ChannelTotals OverMonths(IEnumerable<(string Month, ChannelTotals Totals)> months)
    {
        var list = months.ToList();
        var sum = Sum(list.Select(m => m.Totals));
        var latest = list.Where(m => m.Totals.Sources > 0).OrderByDescending(m => m.Month, StringComparer.Ordinal)
            .Select(m => m.Totals).FirstOrDefault() ?? ChannelTotals.Empty;
        return sum with
        {
            Figures = sum.Figures with { ChannelStockUnits = latest.Figures.ChannelStockUnits },
            ByTier = sum.ByTier.ToDictionary(t => t.Key,
                t => t.Value with { ChannelStockUnits = latest.ByTier.GetValueOrDefault(t.Key)?.ChannelStockUnits ?? 0 }, StringComparer.Ordinal),
            BySku = sum.BySku.ToDictionary(s => s.Key,
                s => s.Value with { StockUnits = latest.BySku.GetValueOrDefault(s.Key)?.StockUnits ?? 0 }, StringComparer.Ordinal),
        };
    }

    /// <summary>Equal figures, breakdowns and source counts (records compare dictionaries by reference).</summary>
    public static bool Same(ChannelTotals a, ChannelTotals b) =>
        a.Figures == b.Figures && a.Sources == b.Sources && SameMap(a.ByTier, b.ByTier) && SameMap(a.BySku, b.BySku)
        && SameMap(a.WeeklySellOut, b.WeeklySellOut);

    /// <summary>The top sellers: each dealer's sell-out summed over the months given, highest first (ties by id).</summary>
    public static IReadOnlyList<DealerSellOut> TopSellers(IEnumerable<DealerSellOut> monthly, int first) =>
        monthly.GroupBy(s => s.DealerId, StringComparer.Ordinal)
            .Select(g =>
            {
                var latest = g.MaxBy(s => s.Month, StringComparer.Ordinal)!;
                return latest with { SellOutValue = g.Sum(s => s.SellOutValue) };
            })
            .OrderByDescending(s => s.SellOutValue).ThenBy(s => s.DealerId, StringComparer.Ordinal)
            .Take(first).ToArray();

    /// <summary>The child of <paramref name="ancestor"/> on the path down to <paramref name="region"/>, or null if none.</summary>
    public static string? ChildOn(string region, string ancestor)
    {
        if (region.Length <= ancestor.Length || !RegionPath.IsWithin(region, ancestor)) return null;
        var next = region.IndexOf('/', ancestor.Length + 1);
        return next < 0 ? region : region[..next];
    }

    private static bool SameMap<T>(Dictionary<string, T> a, Dictionary<string, T> b) =>
        a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var other) && Equals(e.Value, other));

    private sealed class Accumulator
    {
        private readonly Dictionary<string, ChannelFigures> byTier = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SkuFigures> bySku = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> weekly = new(StringComparer.Ordinal);
        private ChannelFigures figures = ChannelFigures.Zero;
        private int sources;

        public void Add(Contribution c)
        {
            figures = figures.Plus(c.Figures);
            sources++;
            if (c.Tier is DealerTier tier) AddTier(tier.ToString(), c.Figures);
            foreach (var sku in c.Skus) AddSku(sku);
            foreach (var week in c.Weeks ?? []) AddWeek(ChannelTotals.WeekKey(week.Week, week.Sku), week.Units);
        }

        public void Add(ChannelTotals t)
        {
            figures = figures.Plus(t.Figures);
            sources += t.Sources;
            foreach (var (tier, f) in t.ByTier) AddTier(tier, f);
            foreach (var sku in t.BySku.Values) AddSku(sku);
            foreach (var (key, units) in t.WeeklySellOut) AddWeek(key, units);
        }

        public ChannelTotals ToTotals() => new() { Figures = figures, ByTier = byTier, BySku = bySku, Sources = sources, WeeklySellOut = weekly };

        private void AddTier(string tier, ChannelFigures f) => byTier[tier] = byTier.TryGetValue(tier, out var held) ? held.Plus(f) : f;

        private void AddWeek(string key, int units) => weekly[key] = weekly.GetValueOrDefault(key) + units;

        private void AddSku(SkuFigures s) => bySku[s.Sku] = bySku.TryGetValue(s.Sku, out var held) ? held.Plus(s) : s;
    }
}
