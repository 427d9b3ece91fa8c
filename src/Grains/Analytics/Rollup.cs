using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ChannelGrains.Partners;

namespace ChannelGrains.Analytics;

/// <summary>
/// The arithmetic of the aggregates. Every aggregate is the sum of the latest value of each of its inputs, never a sum
/// of the changes that arrived, so it is exact whatever order, repetition or loss its inputs went through. A running
/// sum (<see cref="Accumulator"/>) keeps it current by taking an input's old figures out and adding its new ones:
/// exact, since counts are integers and money has at most four decimal places and a bound (<see cref="Validate.Money"/>).
/// </summary>
public static class Rollup
{
    /// <summary>The plain sum of contributions (one region's sources in one month).</summary>
    public static ChannelTotals OfSources(IEnumerable<Contribution> contributions)
    {
        var sum = new Accumulator();
        foreach (var c in contributions) sum.Add(c);
        return sum.ToTotals(null);
    }

    /// <summary>
    /// Sell-out units per ISO week and SKU (keyed <see cref="ChannelTotals.WeekKey"/>) of contributions, for demand
    /// planning. The aggregates do not carry weeks (thousands of keys, summed at every push for a rare query): the
    /// demand query sums them from the source shards.
    /// </summary>
    public static Dictionary<string, long> WeeklyOf(IEnumerable<Contribution> contributions)
    {
        var weekly = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var c in contributions)
            foreach (var week in c.Weeks ?? []) CollectionsMarshal.GetValueRefOrAddDefault(weekly, ChannelTotals.WeekKey(week.Week, week.Sku), out _) += week.Units;
        return weekly;
    }

    /// <summary>The plain sum of totals: a month node from its shards' parts and its children's totals.</summary>
    public static ChannelTotals Sum(IEnumerable<ChannelTotals> totals) => new Accumulator().Sum(totals);

    /// <summary>
    /// A quarter or a year from its months. Flows are the sum of the months. Channel stock is a stock, not a flow:
    /// a period's stock (in total, per tier and per SKU) is that of its latest month with data, i.e. the stock at the
    /// end of the period as far as it has happened.
    /// </summary>
    public static ChannelTotals OverMonths(IEnumerable<(string Month, ChannelTotals Totals)> months) => new Accumulator().OverMonths(months);

    /// <summary>Equal figures, breakdowns and source counts (records compare dictionaries by reference).</summary>
    public static bool Same(ChannelTotals a, ChannelTotals b) => ReferenceEquals(a, b) ||
        a.Figures == b.Figures && a.Sources == b.Sources && SameMap(a.ByTier, b.ByTier) && a.BySku.SameAs(b.BySku);

    /// <summary>
    /// The top sellers: each dealer's sell-out summed over the months given (with the region of its latest month),
    /// highest first, ties by id. A dictionary and one sort: the resolver merges 16 shards' lists per request.
    /// </summary>
    public static IReadOnlyList<DealerSellOut> TopSellers(IEnumerable<DealerSellOut> monthly, int first)
    {
        if (first <= 0) return [];
        var byDealer = new Dictionary<string, DealerSellOut>(StringComparer.Ordinal);
        foreach (var seller in monthly)
        {
            if (!byDealer.TryGetValue(seller.DealerId, out var held)) byDealer[seller.DealerId] = seller;
            else byDealer[seller.DealerId] = (string.CompareOrdinal(seller.Month, held.Month) > 0 ? seller : held) with { SellOutValue = held.SellOutValue + seller.SellOutValue };
        }
        var ranked = byDealer.Values.ToArray();
        Array.Sort(ranked, HighestFirst);
        return ranked.Length <= first ? ranked : ranked[..first];
    }

    private static readonly Comparison<DealerSellOut> HighestFirst = (a, b) =>
        a.SellOutValue != b.SellOutValue ? b.SellOutValue.CompareTo(a.SellOutValue) : string.CompareOrdinal(a.DealerId, b.DealerId);

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
    /// Sums in place: one dictionary slot per key, updated by reference, each counting the inputs that hold the key so
    /// that taking an input out (<see cref="Remove"/>) leaves exactly the keys a sum of the others has. An aggregate
    /// keeps one for good and, when an input is replaced, takes out the old figures of each key that changed and adds the
    /// new ones (<see cref="Replace"/>): exact, since every figure is an integer or a decimal, and it costs a lookup per
    /// key of the input that changed instead of a sum over all inputs. A result starts from the previous one and redoes
    /// only the SKUs changed since, sharing the breakdown's other chunks (<see cref="SkuBreakdown.With"/>), and is the
    /// previous result itself when nothing changed: receivers up the tree then skip most SKUs by reference.
    /// </summary>
    public sealed class Accumulator
    {
        private readonly Dictionary<string, (ChannelFigures Figures, int Inputs)> byTier = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SkuSum> bySku = new(StringComparer.Ordinal);
        private readonly HashSet<string> changedSkus = new(StringComparer.Ordinal);
        private ChannelFigures figures = ChannelFigures.Zero;
        private int sources;
        private ChannelTotals? last;
        private bool allChanged = true;

        /// <summary>The source-months summed so far.</summary>
        public int Sources => sources;

        /// <summary>The SKUs the next <see cref="ToTotals"/> looks at again (those changed since the last), for tests.</summary>
        internal int SkusToRedo => changedSkus.Count;

        /// <summary>The plain sum of <paramref name="totals"/>.</summary>
        public ChannelTotals Sum(IEnumerable<ChannelTotals> totals)
        {
            Reset();
            foreach (var t in totals) Add(t);
            return ToTotals(null);
        }

        /// <inheritdoc cref="Rollup.OverMonths"/>
        public ChannelTotals OverMonths(IEnumerable<(string Month, ChannelTotals Totals)> months)
        {
            Reset();
            var list = months.ToList();
            foreach (var (_, totals) in list) Add(totals);
            return ToTotals(LatestWithData(list));
        }

        /// <summary>The totals of the latest month with data, whose stocks are a quarter's or a year's; empty if none has data.</summary>
        public static ChannelTotals LatestWithData(IEnumerable<(string Month, ChannelTotals Totals)> months)
        {
            ChannelTotals? latest = null;
            string? latestMonth = null;
            foreach (var (month, totals) in months)
                if (totals.Sources > 0 && (latestMonth is null || string.CompareOrdinal(month, latestMonth) > 0)) (latest, latestMonth) = (totals, month);
            return latest ?? ChannelTotals.Empty;
        }

        public void Reset()
        {
            byTier.Clear();
            bySku.Clear();
            changedSkus.Clear();
            figures = ChannelFigures.Zero;
            sources = 0;
            allChanged = true;
        }

        public void Add(Contribution c) => Apply(c, 1);

        /// <summary>Takes out a contribution added before.</summary>
        public void Remove(Contribution c) => Apply(c, -1);

        public void Add(ChannelTotals t) => Apply(t, 1);

        /// <summary>Takes out totals added before.</summary>
        public void Remove(ChannelTotals t) => Apply(t, -1);

        /// <summary>
        /// Replaces a source's contribution (added before) by its newer one, touching only the SKUs whose figures
        /// differ. A source rebuilds its contribution from the same records, so its SKUs come in the same order and an
        /// unchanged SKU is the very same record: most contributions change a few SKUs of the twenty or so they hold,
        /// and only those then count as changed for the next <see cref="ToTotals"/>. Anything else (another tier, SKUs
        /// added, taken out or reordered) takes the old one out and adds the new one.
        /// </summary>
        public void Replace(Contribution old, Contribution now)
        {
            if (old.Tier != now.Tier || !SameSkuOrder(old.Skus, now.Skus))
            {
                Remove(old);
                Add(now);
                return;
            }
            if (old.Figures != now.Figures)
            {
                figures = figures.Replaced(old.Figures, now.Figures);
                if (now.Tier is DealerTier tier) ReplaceTier(TierName(tier), old.Figures, now.Figures);
            }
            for (var i = 0; i < now.Skus.Count; i++)
            {
                var (was, f) = (old.Skus[i], now.Skus[i]);
                if (!ReferenceEquals(was, f) && was != f) ReplaceSku(was, f);
            }
        }

        private static bool SameSkuOrder(IReadOnlyList<SkuFigures> old, IReadOnlyList<SkuFigures> now)
        {
            if (old.Count != now.Count) return false;
            for (var i = 0; i < now.Count; i++)
                if (!ReferenceEquals(old[i], now[i]) && !string.Equals(old[i].Sku, now[i].Sku, StringComparison.Ordinal)) return false;
            return true;
        }

        /// <summary>
        /// Replaces <paramref name="old"/> (added before) by <paramref name="now"/>, touching only the tiers and SKUs
        /// whose figures differ: a lookup per key instead of taking every key out and adding it again. Most pushes
        /// change a few SKUs of hundreds, and within a silo the SKU chunks they did not change arrive as the very same arrays.
        /// </summary>
        public void Replace(ChannelTotals old, ChannelTotals now)
        {
            if (ReferenceEquals(old, now)) return;
            if (old.Figures != now.Figures) figures = figures.Replaced(old.Figures, now.Figures);
            sources += now.Sources - old.Sources;
            if (!ReferenceEquals(old.ByTier, now.ByTier))
            {
                foreach (var (tier, f) in now.ByTier)
                {
                    if (!old.ByTier.TryGetValue(tier, out var was)) AddTier(tier, f, 1);
                    else if (was != f) ReplaceTier(tier, was, f);
                }
                foreach (var (tier, was) in old.ByTier)
                    if (!now.ByTier.ContainsKey(tier)) AddTier(tier, was, -1);
            }
            if (!ReferenceEquals(old.BySku, now.BySku))
                for (var chunk = 0; chunk < SkuBreakdown.ChunkCount; chunk++)
                    if (!old.BySku.SharesChunk(now.BySku, chunk)) ReplaceChunk(old.BySku.Chunk(chunk), now.BySku.Chunk(chunk));
        }

        /// <summary>
        /// The sum so far; with <paramref name="stocksOf"/>, every stock is that of those totals instead. The previous
        /// result itself when nothing in it changed, so that receivers can tell "unchanged" by reference.
        /// </summary>
        public ChannelTotals ToTotals(ChannelTotals? stocksOf)
        {
            var tiers = new Dictionary<string, ChannelFigures>(byTier.Count, StringComparer.Ordinal);
            foreach (var (tier, (f, _)) in byTier)
                tiers[tier] = stocksOf is null ? f : f with { ChannelStockUnits = stocksOf.ByTier.GetValueOrDefault(tier)?.ChannelStockUnits ?? 0 };
            var total = stocksOf is null ? figures : figures with { ChannelStockUnits = stocksOf.Figures.ChannelStockUnits };
            SkuBreakdown skus;
            if (stocksOf is null && !allChanged && last is not null)
            {
                List<(string Sku, SkuFigures? Figures)>? changes = null;
                foreach (var sku in changedSkus)
                {
                    var now = bySku.TryGetValue(sku, out var sum) ? Figures(sku, sum, null) : null;
                    if (!ReferenceEquals(now, last.BySku.GetValueOrDefault(sku))) (changes ??= []).Add((sku, now));
                }
                changedSkus.Clear();
                if (changes is null && total == last.Figures && sources == last.Sources && SameMap(tiers, last.ByTier)) return last;
                skus = changes is null ? last.BySku : last.BySku.With(changes);
            }
            else
            {
                skus = SkuBreakdown.Of(bySku.Select(s => Figures(s.Key, s.Value, stocksOf is null ? null : stocksOf.BySku.GetValueOrDefault(s.Key)?.StockUnits ?? 0)));
                changedSkus.Clear();
            }
            // A result with other stocks is no base for the next one's unchanged SKUs.
            allChanged = stocksOf is not null;
            return last = new() { Figures = total, ByTier = tiers, BySku = skus, Sources = sources };
        }

        /// <summary>The record of the last result when the figures are the same, else a new one.</summary>
        private SkuFigures Figures(string sku, SkuSum sum, long? stock) =>
            last?.BySku.GetValueOrDefault(sku) is { } held && sum.Matches(held, stock) ? held : sum.ToFigures(sku, stock);

        private void Apply(ChannelTotals t, int sign)
        {
            figures = sign > 0 ? figures.Plus(t.Figures) : figures.Minus(t.Figures);
            sources += sign * t.Sources;
            foreach (var (tier, f) in t.ByTier) AddTier(tier, f, sign);
            foreach (var sku in t.BySku) AddSku(sku, sign);
        }

        private void Apply(Contribution c, int sign)
        {
            figures = sign > 0 ? figures.Plus(c.Figures) : figures.Minus(c.Figures);
            sources += sign;
            if (c.Tier is DealerTier tier) AddTier(TierName(tier), c.Figures, sign);
            foreach (var sku in c.Skus) AddSku(sku, sign);
        }

        /// <summary>The tier's name, the key of <see cref="ChannelTotals.ByTier"/>, without boxing the enum as its ToString does.</summary>
        private static string TierName(DealerTier tier) => tier switch
        {
            DealerTier.Strategic => nameof(DealerTier.Strategic),
            DealerTier.Value => nameof(DealerTier.Value),
            DealerTier.Potential => nameof(DealerTier.Potential),
            _ => tier.ToString(),
        };

        private void AddTier(string tier, ChannelFigures f, int sign)
        {
            ref var held = ref CollectionsMarshal.GetValueRefOrAddDefault(byTier, tier, out var exists);
            held = exists ? (sign > 0 ? held.Figures.Plus(f) : held.Figures.Minus(f), held.Inputs + sign) : (f, 1);
            if (held.Inputs == 0) byTier.Remove(tier);
        }

        private void ReplaceTier(string tier, ChannelFigures was, ChannelFigures now)
        {
            ref var held = ref CollectionsMarshal.GetValueRefOrNullRef(byTier, tier);
            if (Unsafe.IsNullRef(ref held))
            {
                AddTier(tier, now, 1); // not held: was never added (a bug), so only the new figures count
                return;
            }
            held.Figures = held.Figures.Replaced(was, now);
        }

        private void AddSku(SkuFigures s, int sign)
        {
            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(bySku, s.Sku, out _);
            sum.Add(s, sign);
            if (sum.Inputs == 0) bySku.Remove(s.Sku);
            if (!allChanged) changedSkus.Add(s.Sku);
        }

        /// <summary>Replaces one chunk's SKUs by another's: both sorted by SKU, walked side by side.</summary>
        private void ReplaceChunk(ReadOnlySpan<SkuFigures> old, ReadOnlySpan<SkuFigures> now)
        {
            int o = 0, n = 0;
            while (o < old.Length || n < now.Length)
            {
                var order = o == old.Length ? 1 : n == now.Length ? -1 : string.CompareOrdinal(old[o].Sku, now[n].Sku);
                if (order < 0) AddSku(old[o++], -1);
                else if (order > 0) AddSku(now[n++], 1);
                else
                {
                    var (was, f) = (old[o++], now[n++]);
                    if (!ReferenceEquals(was, f) && was != f) ReplaceSku(was, f);
                }
            }
        }

        private void ReplaceSku(SkuFigures was, SkuFigures now)
        {
            ref var sum = ref CollectionsMarshal.GetValueRefOrNullRef(bySku, now.Sku);
            if (Unsafe.IsNullRef(ref sum))
            {
                AddSku(now, 1); // as in ReplaceTier
                return;
            }
            sum.Add(was, -1);
            sum.Add(now, 1);
            if (!allChanged) changedSkus.Add(now.Sku);
        }
    }

    /// <summary>A SKU's running sum over the inputs that hold it.</summary>
    internal struct SkuSum
    {
        public int Inputs;
        private long orderUnits, sellOutUnits, stockUnits;
        private decimal orderValue, sellOutValue;

        public void Add(SkuFigures s, int sign)
        {
            Inputs += sign;
            if (sign > 0)
            {
                orderUnits += s.OrderUnits;
                orderValue += s.OrderValue;
                sellOutUnits += s.SellOutUnits;
                sellOutValue += s.SellOutValue;
                stockUnits += s.StockUnits;
            }
            else
            {
                orderUnits -= s.OrderUnits;
                orderValue -= s.OrderValue;
                sellOutUnits -= s.SellOutUnits;
                sellOutValue -= s.SellOutValue;
                stockUnits -= s.StockUnits;
            }
        }

        public readonly SkuFigures ToFigures(string sku, long? stock) => new(sku, orderUnits, orderValue, sellOutUnits, sellOutValue, stock ?? stockUnits);

        public readonly bool Matches(SkuFigures held, long? stock) =>
            held.OrderUnits == orderUnits && held.OrderValue == orderValue && held.SellOutUnits == sellOutUnits
            && held.SellOutValue == sellOutValue && held.StockUnits == (stock ?? stockUnits);
    }
}
