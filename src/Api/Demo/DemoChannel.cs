using ChannelGrains.Analytics;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Fields;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;

namespace ChannelGrains.Api.Demo;

/// <summary>A dealer of the demo and what its history and live orders are drawn from.</summary>
/// <param name="Index">Its position, which seeds its own random numbers: its history is the same on every start.</param>
/// <param name="HistorySkus">Its best sellers, a few of its authorised SKUs: the SKUs of its history and opening stock.</param>
/// <param name="MonthlyValue">Its usual monthly sell-in before seasonality.</param>
/// <param name="OrderValue">Its usual order value.</param>
public sealed record DemoDealer(int Index, DealerInfo Info, ChinaRegions.City City, IReadOnlyList<string> HistorySkus, decimal MonthlyValue, decimal OrderValue);

/// <summary>
/// A realistic channel, generated from fixed seeds (the same channel on every start): products, dealers by tier in
/// the cities of <see cref="ChinaRegions"/>, stores, reps and agents, and each dealer's last year as a legacy system
/// would export it.
/// </summary>
public sealed class DemoChannel
{
    private const int Seed = 2026;
    public const int HistoryMonths = 12;

    /// <summary>Sell-in by calendar month: stocking up before the Spring Festival, 618, Mid-Autumn, Double 11.</summary>
    private static readonly decimal[] Season = [1.25m, 0.75m, 0.90m, 0.95m, 1.00m, 1.10m, 0.95m, 1.05m, 1.15m, 1.00m, 1.20m, 1.10m];

    private static readonly (string Name, string Unit, int[] Sizes, decimal PricePerUnit)[] Categories =
    [
        ("Green Tea", "ml", [250, 500, 1000], 0.012m), ("Jasmine Tea", "ml", [330, 500], 0.013m), ("Milk Tea", "ml", [280, 450], 0.018m),
        ("Mineral Water", "ml", [550, 1500], 0.004m), ("Orange Juice", "ml", [300, 1000], 0.016m), ("Peanut Milk", "ml", [250, 500], 0.014m),
        ("Instant Noodles", "g", [85, 120], 0.045m), ("Rice Crackers", "g", [150, 400], 0.05m), ("Sunflower Seeds", "g", [160, 500], 0.06m),
        ("Soy Sauce", "ml", [500, 1000], 0.02m), ("Rice Vinegar", "ml", [420, 800], 0.018m), ("Chili Sauce", "g", [210, 330], 0.07m),
    ];

    private static readonly int[] Packs = [12, 24, 6];
    private static readonly string[] Trades = ["Trading", "Commerce", "Distribution", "Supply Chain", "Food", "Beverage"];
    private static readonly string[] Chains = ["Lianhua", "Meiyijia", "Yonghui", "Family", "Suguo", "Huarun", "Wumart", "Bubugao"];

    public IReadOnlyList<ProductInfo> Products { get; }
    public IReadOnlyList<DemoDealer> Dealers { get; }
    public IReadOnlyList<StoreInfo> Stores { get; }
    public IReadOnlyList<PartnerInfo> Reps { get; }
    public IReadOnlyList<PartnerInfo> Agents { get; }

    /// <summary>The admitted dealers: the ones that order and sell live.</summary>
    public IReadOnlyList<DemoDealer> Admitted { get; }

    private readonly Dictionary<string, ProductInfo> productsBySku;
    private readonly Dictionary<string, StoreInfo[]> storesByCity;
    private readonly Dictionary<string, StoreInfo[]> storesOutsideBigRegion;

    private DemoChannel(DemoOptions options)
    {
        var random = new Random(Seed);
        Products = Enumerable.Range(0, options.Skus).Select(Product).ToArray();
        productsBySku = Products.ToDictionary(p => p.Sku, StringComparer.Ordinal);
        var cities = ChinaRegions.Cities;
        Dealers = Enumerable.Range(0, options.Dealers).Select(i => Dealer(i, PickCity(random, cities), random)).ToArray();
        Admitted = Dealers.Where(d => d.Info.Status == DealerStatus.Admitted).ToArray();
        var dealersByCity = Dealers.GroupBy(d => d.City.Path).ToDictionary(g => g.Key, g => g.ToArray());
        Stores = Enumerable.Range(0, options.Stores).Select(i =>
        {
            var city = PickCity(random, cities);
            var supplier = dealersByCity.GetValueOrDefault(city.Path) is { } local ? local[random.Next(local.Length)].Info.Id : null;
            return new StoreInfo($"S{i + 1:D5}", $"{Chains[random.Next(Chains.Length)]} {city.Name} #{i + 1}", supplier, city.Path, null, null);
        }).ToArray();
        storesByCity = Stores.GroupBy(s => s.Region).ToDictionary(g => g.Key, g => g.ToArray());
        var provinces = cities.Select(c => c.ProvincePath).Distinct().ToArray();
        var bigRegions = cities.Select(c => c.BigRegionPath).Distinct().ToArray();
        storesOutsideBigRegion = bigRegions.ToDictionary(r => r, r => Stores.Where(s => !RegionPath.IsWithin(s.Region, r)).ToArray());
        Reps = Enumerable.Range(0, options.Reps).Select(i => new PartnerInfo($"R{i + 1:D3}", $"Field rep {i + 1}", provinces[i % provinces.Length])).ToArray();
        Agents = Enumerable.Range(0, options.Agents).Select(i => new PartnerInfo($"A{i + 1:D3}", $"Agent {i + 1}", bigRegions[i % bigRegions.Length])).ToArray();
    }

    public static DemoChannel Generate(DemoOptions options) => new(options);

    public ProductInfo Product(string sku) => productsBySku[sku];

    /// <summary>A store for a sale: in the dealer's city, or (串货) in a city of another big region.</summary>
    public StoreInfo? StoreFor(DemoDealer dealer, bool elsewhere, Random random)
    {
        var candidates = elsewhere ? storesOutsideBigRegion[dealer.City.BigRegionPath] : storesByCity.GetValueOrDefault(dealer.City.Path) ?? [];
        return candidates.Length == 0 ? null : candidates[random.Next(candidates.Length)];
    }

    /// <summary>The dealer's last <see cref="HistoryMonths"/> finished months and its opening stock, as the legacy system exports them.</summary>
    public DealerHistoryImport History(DemoDealer dealer, Period currentMonth)
    {
        var random = new Random(Seed * 31 + dealer.Index);
        var months = Enumerable.Range(1, HistoryMonths).Reverse().Select(back => MonthsBefore(currentMonth, back)).ToArray();
        var prices = dealer.HistorySkus.ToDictionary(s => s, s => decimal.Round(Product(s).ListPrice * (0.95m + 0.05m * (decimal)random.NextDouble()), 2));
        var shares = Shares(dealer.HistorySkus.Count, random);
        var stock = dealer.HistorySkus.Select((sku, i) => (sku, i)).ToDictionary(x => x.sku, x => (int)(1.2m * dealer.MonthlyValue * shares[x.i] / prices[x.sku]));
        var imported = new List<HistoricMonth>();
        foreach (var (month, back) in months.Select((m, i) => (m, HistoryMonths - i)))
        {
            var value = MonthValue(dealer, month, back) * (0.9m + 0.2m * (decimal)random.NextDouble());
            var skus = dealer.HistorySkus.Select((sku, i) =>
            {
                var orderUnits = (int)(value * shares[i] / prices[sku]);
                var sellOutUnits = Math.Min(stock[sku] + orderUnits, (int)(orderUnits * (0.9 + 0.2 * random.NextDouble())));
                stock[sku] += orderUnits - sellOutUnits;
                return new HistoricSku(sku, orderUnits, orderUnits * prices[sku], sellOutUnits, decimal.Round(sellOutUnits * prices[sku] * 1.25m, 2), stock[sku]);
            }).ToArray();
            var orders = Math.Max(1, (int)decimal.Round(skus.Sum(s => s.OrderValue) / dealer.OrderValue));
            imported.Add(new HistoricMonth(month.ToString(), orders, skus, QuotaTarget(dealer, month, back), back <= 2 ? Weeks(skus.Take(3), month) : null));
        }
        return new DealerHistoryImport(imported, stock.Select(s => new SkuQuantity(s.Key, s.Value)).ToArray());
    }

    /// <summary>The dealer's target for a month <paramref name="back"/> months before the current one (0: the current month).</summary>
    public static decimal QuotaTarget(DemoDealer dealer, Period month, int back) => RoundTo(MonthValue(dealer, month, back) * 1.08m, 1_000m);

    /// <summary>Order lines worth about <paramref name="value"/>, of the dealer's best sellers mostly.</summary>
    public IReadOnlyList<OrderLineInput> OrderLines(DemoDealer dealer, decimal value, Random random)
    {
        var authorised = dealer.Info.AuthorizedSkus!;
        var lines = random.Next(1, 4);
        return Enumerable.Range(0, lines)
            .Select(_ => random.NextDouble() < 0.8 ? dealer.HistorySkus[random.Next(dealer.HistorySkus.Count)] : authorised[random.Next(authorised.Count)])
            .Distinct()
            .Select(sku => new OrderLineInput(sku, Math.Max(1, (int)(value / lines * (0.6m + 0.8m * (decimal)random.NextDouble()) / Product(sku).ListPrice)), null, null))
            .ToArray();
    }

    private static decimal MonthValue(DemoDealer dealer, Period month, int back) =>
        dealer.MonthlyValue * Season[month.Number - 1] * (1m - 0.01m * back);

    private static decimal RoundTo(decimal value, decimal step) => decimal.Round(value / step) * step;

    private static Period MonthsBefore(Period month, int back)
    {
        var index = month.Year * 12 + month.Number - 1 - back;
        return Period.Month(index / 12, index % 12 + 1);
    }

    /// <summary>A month's sell-out units of some SKUs, split over the ISO weeks by the days each has in the month.</summary>
    private static IReadOnlyList<WeeklySellOut> Weeks(IEnumerable<HistoricSku> skus, Period month)
    {
        var first = new DateOnly(month.Year, month.Number, 1);
        var days = Enumerable.Range(0, DateTime.DaysInMonth(month.Year, month.Number)).Select(d => IsoWeeks.Of(first.AddDays(d))).ToArray();
        var weeks = days.GroupBy(w => w).Select(g => (Week: g.Key, Days: g.Count())).ToArray();
        return skus.SelectMany(sku => weeks.Select(w => new WeeklySellOut(sku.Sku, w.Week, sku.SellOutUnits * w.Days / days.Length))).ToArray();
    }

    private static decimal[] Shares(int count, Random random)
    {
        // Best sellers first: each SKU sells a bit more than the next.
        var weights = Enumerable.Range(0, count).Select(i => (decimal)(1.0 / (i + 1) * (0.8 + 0.4 * random.NextDouble()))).ToArray();
        var total = weights.Sum();
        return weights.Select(w => w / total).ToArray();
    }

    private static ProductInfo Product(int index)
    {
        var category = Categories[index % Categories.Length];
        var variant = index / Categories.Length;
        var size = category.Sizes[variant % category.Sizes.Length];
        var pack = Packs[variant / category.Sizes.Length % Packs.Length];
        var edition = variant / (category.Sizes.Length * Packs.Length);
        var list = decimal.Round(size * pack * category.PricePerUnit * (1m + 0.03m * (index % 7)), 1);
        var name = $"{category.Name} {size} {category.Unit} x{pack}" + (edition > 0 ? $" ({Edition(edition)})" : "");
        return new ProductInfo($"SKU{index + 1:D4}", name, list, decimal.Round(list * 0.85m, 1));
    }

    private static string Edition(int edition) => edition switch
    {
        1 => "family pack", 2 => "low sugar", 3 => "gift box", 4 => "limited", _ => $"edition {edition}",
    };

    private DemoDealer Dealer(int index, ChinaRegions.City city, Random random)
    {
        var roll = random.NextDouble();
        var tier = roll < 0.08 ? DealerTier.Strategic : roll < 0.35 ? DealerTier.Value : DealerTier.Potential;
        var (monthly, order, credit, skus) = tier switch
        {
            DealerTier.Strategic => (900_000m, 60_000m, 6_000_000m, 80),
            DealerTier.Value => (220_000m, 25_000m, 1_500_000m, 45),
            _ => (60_000m, 9_000m, 400_000m, 20),
        };
        // Popular SKUs (low numbers) are authorised more often: a square skews the pick towards them.
        var authorised = Enumerable.Range(0, skus * 2)
            .Select(_ => Products[(int)(Products.Count * Math.Pow(random.NextDouble(), 2))].Sku)
            .Distinct().Take(Math.Min(skus, Products.Count)).Order(StringComparer.Ordinal).ToArray();
        var status = random.NextDouble() switch { < 0.02 => DealerStatus.Pending, < 0.04 => DealerStatus.Suspended, _ => DealerStatus.Admitted };
        var info = new DealerInfo($"D{index + 1:D4}", $"{city.Name} {Trades[random.Next(Trades.Length)]} Co. {index + 1}", city.Path, tier, status,
            credit, authorised);
        var best = authorised.Take(tier == DealerTier.Strategic ? 6 : 4).ToArray();
        var scale = 0.6m + 0.8m * (decimal)random.NextDouble();
        return new DemoDealer(index, info, city, best, RoundTo(monthly * scale, 100m), RoundTo(order * scale, 100m));
    }

    private static ChinaRegions.City PickCity(Random random, IReadOnlyList<ChinaRegions.City> cities)
    {
        var total = cities.Sum(c => c.Weight);
        var pick = random.Next(total);
        foreach (var city in cities)
        {
            if (pick < city.Weight) return city;
            pick -= city.Weight;
        }
        return cities[^1];
    }
}
