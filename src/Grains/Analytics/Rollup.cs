using System.Runtime.InteropServices;
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
        var sum = new Accumulator(0);
        foreach (var c in contributions) sum.Add(c);
        return sum.ToTotals(null, null);
    }

    /// <summary>
    /// Sell-out units per ISO week and SKU (keyed <see cref="ChannelTotals.WeekKey"/>) of contributions, for demand
    /// planning. The aggregates do not carry weeks (thousands of keys, summed at every push for a rare query): the
    /// demand query sums them from the source shards.
    /// </summary>
    public static Dictionary<string, int> WeeklyOf(IEnumerable<Contribution> contributions)
    {
        var weekly = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in contributions)
            foreach (var week in c.Weeks ?? []) CollectionsMarshal.GetValueRefOrAddDefault(weekly, ChannelTotals.WeekKey(week.Week, week.Sku), out _) += week.Units;
        return weekly;
    }

    /// <summary>The plain sum of totals: a month node from its shards' parts and its children's totals.</summary>
    public static ChannelTotals Sum(IEnumerable<ChannelTotals> totals) => new Accumulator(0).Sum(totals, null);

    /// <summary>
    /// A quarter or a year from its months. Flows are the sum of the months. Channel stock is a stock, not a flow:
    /// a period's stock (in total, per tier and per SKU) is that of its latest month with data, i.e. the stock at the
    /// end of the period as far as it has happened.
    /// </summary>
    public static ChannelTotals OverMonths(IEnumerable<(string Month, ChannelTotals Totals)> months) => new Accumulator(0).OverMonths(months, null);

    /// <summary>Equal figures, breakdowns and source counts (records compare dictionaries by reference).</summary>
    public static bool Same(ChannelTotals a, ChannelTotals b) =>
        a.Figures == b.Figures && a.Sources == b.Sources && SameMap(a.ByTier, b.ByTier) && SameMap(a.BySku, b.BySku);

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

    /// <summary>
    /// Sums in place: one dictionary slot per key, updated by reference. An aggregate keeps one and reuses it for every
    /// recomputation (its dictionaries keep their capacity), and passes its previous result, whose SKU records are
    /// reused where the figures did not change: summing hundreds of SKUs many times a second then allocates little more
    /// than the result's dictionary.
    /// </summary>
    public sealed class Accumulator(int skuCapacity)
    {
        private readonly Dictionary<string, ChannelFigures> byTier = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SkuSum> bySku = new(skuCapacity, StringComparer.Ordinal);
        private ChannelFigures figures = ChannelFigures.Zero;
        private int sources;

        public Accumulator() : this(0)
        {
        }

        /// <summary>The plain sum of <paramref name="totals"/>.</summary>
        public ChannelTotals Sum(IEnumerable<ChannelTotals> totals, ChannelTotals? previous)
        {
            Reset();
            foreach (var t in totals) Add(t);
            return ToTotals(previous, null);
        }

        /// <inheritdoc cref="Rollup.OverMonths"/>
        public ChannelTotals OverMonths(IEnumerable<(string Month, ChannelTotals Totals)> months, ChannelTotals? previous)
        {
            Reset();
            ChannelTotals? latest = null;
            string? latestMonth = null;
            foreach (var (month, totals) in months)
            {
                Add(totals);
                if (totals.Sources > 0 && (latestMonth is null || string.CompareOrdinal(month, latestMonth) > 0)) (latest, latestMonth) = (totals, month);
            }
            return ToTotals(previous, latest ?? ChannelTotals.Empty);
        }

        public void Add(Contribution c)
        {
            figures = figures.Plus(c.Figures);
            sources++;
            if (c.Tier is DealerTier tier) AddTier(tier.ToString(), c.Figures);
            foreach (var sku in c.Skus) AddSku(sku);
        }

        /// <summary>The sum so far; with <paramref name="stocksOf"/>, every stock is that of those totals instead.</summary>
        public ChannelTotals ToTotals(ChannelTotals? previous, ChannelTotals? stocksOf)
        {
            var skus = new Dictionary<string, SkuFigures>(bySku.Count, StringComparer.Ordinal);
            foreach (var (sku, sum) in bySku)
            {
                var stock = stocksOf is null ? (int?)null : stocksOf.BySku.GetValueOrDefault(sku)?.StockUnits ?? 0;
                var held = previous?.BySku.GetValueOrDefault(sku);
                skus[sku] = sum.Only is { } only && (stock is null || stock == only.StockUnits) ? only
                    : held is not null && sum.Matches(held, stock) ? held
                    : sum.ToFigures(sku, stock);
            }
            var tiers = new Dictionary<string, ChannelFigures>(byTier.Count, StringComparer.Ordinal);
            foreach (var (tier, f) in byTier)
                tiers[tier] = stocksOf is null ? f : f with { ChannelStockUnits = stocksOf.ByTier.GetValueOrDefault(tier)?.ChannelStockUnits ?? 0 };
            var total = stocksOf is null ? figures : figures with { ChannelStockUnits = stocksOf.Figures.ChannelStockUnits };
            return new() { Figures = total, ByTier = tiers, BySku = skus, Sources = sources };
        }

        private void Reset()
        {
            byTier.Clear();
            bySku.Clear();
            figures = ChannelFigures.Zero;
            sources = 0;
        }

        private void Add(ChannelTotals t)
        {
            figures = figures.Plus(t.Figures);
            sources += t.Sources;
            foreach (var (tier, f) in t.ByTier) AddTier(tier, f);
            foreach (var sku in t.BySku.Values) AddSku(sku);
        }

        private void AddTier(string tier, ChannelFigures f) => byTier[tier] = byTier.TryGetValue(tier, out var held) ? held.Plus(f) : f;

        private void AddSku(SkuFigures s) => CollectionsMarshal.GetValueRefOrAddDefault(bySku, s.Sku, out _).Add(s);
    }

    /// <summary>A SKU's running sum; while only one input holds the SKU, that input's record is reused as is.</summary>
    internal struct SkuSum
    {
        public SkuFigures? Only;
        private int added, orderUnits, sellOutUnits, stockUnits;
        private decimal orderValue, sellOutValue;

        public void Add(SkuFigures s)
        {
            Only = ++added == 1 ? s : null;
            orderUnits += s.OrderUnits;
            orderValue += s.OrderValue;
            sellOutUnits += s.SellOutUnits;
            sellOutValue += s.SellOutValue;
            stockUnits += s.StockUnits;
        }

        public readonly SkuFigures ToFigures(string sku, int? stock) => new(sku, orderUnits, orderValue, sellOutUnits, sellOutValue, stock ?? stockUnits);

        public readonly bool Matches(SkuFigures held, int? stock) =>
            held.OrderUnits == orderUnits && held.OrderValue == orderValue && held.SellOutUnits == sellOutUnits
            && held.SellOutValue == sellOutValue && held.StockUnits == (stock ?? stockUnits);
    }
}
