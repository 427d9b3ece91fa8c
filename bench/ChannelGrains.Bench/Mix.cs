using System.Collections.Concurrent;
using System.Globalization;
using ChannelGrains.Catalog;
using ChannelGrains.Fields;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;

namespace ChannelGrains.Bench;

public enum MixOp { PlaceOrder, ShipOrder, ReceiveOrder, ReportSellOut, UpsertDealer, SetQuota, SummaryNational, SummaryRegion, TopDealers }

/// <summary>
/// What the mix runs against: the real Api over HTTP (<see cref="GraphQLHttpExecutor"/>) or the grains in process
/// (<see cref="GrainExecutor"/>). A refusal throws <see cref="MixFailure"/> with the contract's error code.
/// </summary>
public interface IMixExecutor
{
    /// <summary>Products (with plenty of stock), dealers and stores, through the bulk paths.</summary>
    Task SeedAsync(MixData data);

    Task PlaceOrderAsync(PlaceOrder order);
    Task ShipOrderAsync(string orderId);
    Task ReceiveOrderAsync(string orderId);
    Task ReportSellOutAsync(SellOutReport report);
    Task UpsertDealerAsync(DealerInfo dealer);
    Task SetQuotaAsync(string dealerId, string month, decimal target);
    Task ChannelSummaryAsync(string region, string month);
    Task TopDealersAsync(string region, string month, int first);
}

/// <summary>A refused or failed operation, by its <c>extensions.code</c> (or the HTTP status / exception when there is none).</summary>
public sealed class MixFailure(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The seed of a run: one tenant's products, dealers (each authorised for some SKUs) and stores (two per dealer).</summary>
public sealed record MixData(string Tenant, string Month, ProductInfo[] Products, DealerInfo[] Dealers, StoreInfo[] Stores, string[] Regions);

/// <summary>One operation about to run, with the earlier order or shipment it works on (taken off its queue).</summary>
public readonly record struct MixStep(MixOp Op, PlacedOrder? Order);

public sealed record PlacedOrder(string Id, string DealerId, IReadOnlyList<OrderLineInput> Lines);

/// <summary>
/// The realistic mix shared by <c>load</c>, <c>ceiling</c> and <c>cluster</c>: the same weights, the same seed data
/// (a fixed random seed), and the same life of an order — placed, later shipped, later received, and its goods
/// later reported sold out to a store of the dealer's region. setQuota walks the dealers round-robin and raises each
/// dealer's target by exactly one, so the national quotaTarget grows by one per acknowledged setQuota (the
/// freshness marker); no two setQuota calls for one dealer are in flight together unless more than a dealer count
/// of them are.
/// </summary>
public sealed class Mix
{
    public const int SkusPerDealer = 20;
    public const int TopDealersShown = 10;

    /// <summary>
    /// Relative weights; ship, receive and sell-out fall back to placeOrder while nothing waits for them. The four steps
    /// of an order's life weigh the same, so the channel is in a steady state: orders are shipped and received as fast
    /// as they are placed, and the open orders (a dealer's ledger, a product's reservations) stay as many as a real
    /// channel holds instead of growing with the length of the run, which made every figure depend on the duration.
    /// </summary>
    public static readonly IReadOnlyList<(MixOp Op, int Weight)> Weights =
    [
        (MixOp.PlaceOrder, 18), (MixOp.ShipOrder, 18), (MixOp.ReceiveOrder, 18), (MixOp.ReportSellOut, 18),
        (MixOp.UpsertDealer, 5), (MixOp.SetQuota, 5), (MixOp.SummaryNational, 8), (MixOp.SummaryRegion, 5), (MixOp.TopDealers, 5),
    ];

    private static readonly int TotalWeight = Weights.Sum(w => w.Weight);

    private readonly ConcurrentQueue<PlacedOrder> toShip = new();
    private readonly ConcurrentQueue<PlacedOrder> toReceive = new();
    private readonly ConcurrentQueue<PlacedOrder> toSell = new();
    private readonly int[] quotaTargets;
    private readonly Dictionary<string, decimal> listPrices;
    private readonly Dictionary<string, string[]> storesOfDealer;
    private long sequence;
    private long quotaTurn = -1;

    /// <summary>The seed size a benchmark asks for: <c>--skus</c> and <c>--dealers</c>, smaller with <c>--quick</c>.</summary>
    public Mix(string tenant, BenchOptions options)
        : this(tenant, options.Int("skus", options.Quick ? 100 : 500), options.Int("dealers", options.Quick ? 200 : 1000))
    {
    }

    public Mix(string tenant, int products, int dealers)
    {
        var random = new Random(20261101);
        var month = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var skus = Enumerable.Range(0, products).Select(i =>
        {
            var price = random.Next(20, 200);
            return new ProductInfo($"SKU{i:00000}", $"Product {i}", price, price * 0.8m);
        }).ToArray();
        var regions = Enumerable.Range(0, 8).Select(r => $"CN/R{r}").ToArray();
        var dealerInfos = Enumerable.Range(0, dealers).Select(i => new DealerInfo(
            $"D{i:000000}", $"Dealer {i}", $"{regions[i % regions.Length]}/C{i % 32}", (DealerTier)(i % 3), DealerStatus.Admitted, 1_000_000_000_000m,
            Enumerable.Range(0, SkusPerDealer).Select(_ => skus[random.Next(skus.Length)].Sku).Distinct().Order(StringComparer.Ordinal).ToArray())).ToArray();
        var stores = dealerInfos.SelectMany((d, i) => Enumerable.Range(0, 2).Select(s =>
            new StoreInfo($"S{i:000000}-{s}", $"Store {i}-{s}", d.Id, d.Region, 31 + random.NextDouble(), 121 + random.NextDouble()))).ToArray();
        Data = new MixData(tenant, month, skus, dealerInfos, stores, regions);
        quotaTargets = new int[dealers];
        listPrices = skus.ToDictionary(p => p.Sku, p => p.ListPrice);
        storesOfDealer = stores.GroupBy(s => s.DealerId!).ToDictionary(g => g.Key, g => g.Select(s => s.Id).ToArray());
    }

    public MixData Data { get; }

    public static bool IsMutation(MixOp op) => op < MixOp.SummaryNational;

    /// <summary>The share of mutations in the mix, to turn a mutation rate into a request rate.</summary>
    public static double MutationShare => Weights.Where(w => IsMutation(w.Op)).Sum(w => w.Weight) / (double)TotalWeight;

    /// <summary>Draws the next operation by weight; ship, receive and sell-out take their order off its queue now.</summary>
    public MixStep Next(Random random)
    {
        var pick = random.Next(TotalWeight);
        var op = Weights[^1].Op;
        foreach (var (candidate, weight) in Weights)
        {
            if (pick < weight)
            {
                op = candidate;
                break;
            }
            pick -= weight;
        }
        var queue = op switch { MixOp.ShipOrder => toShip, MixOp.ReceiveOrder => toReceive, MixOp.ReportSellOut => toSell, _ => null };
        if (queue is null) return new MixStep(op, null);
        return queue.TryDequeue(out var order) ? new MixStep(op, order) : new MixStep(MixOp.PlaceOrder, null);
    }

    /// <summary>Runs one step; on success the order moves on to the queue of its next step. Returns the order placed, if any.</summary>
    public async Task<PlacedOrder?> ExecuteAsync(MixStep step, IMixExecutor executor, Random random)
    {
        switch (step.Op)
        {
            case MixOp.PlaceOrder:
                var order = NewOrder(random);
                await executor.PlaceOrderAsync(new PlaceOrder(order.Id, order.DealerId, order.Lines));
                toShip.Enqueue(order);
                return order;
            case MixOp.ShipOrder:
                await executor.ShipOrderAsync(step.Order!.Id);
                toReceive.Enqueue(step.Order);
                break;
            case MixOp.ReceiveOrder:
                await executor.ReceiveOrderAsync(step.Order!.Id);
                toSell.Enqueue(step.Order);
                break;
            case MixOp.ReportSellOut:
                await executor.ReportSellOutAsync(SellOut(step.Order!, random));
                break;
            case MixOp.UpsertDealer:
                var dealer = Data.Dealers[random.Next(Data.Dealers.Length)];
                await executor.UpsertDealerAsync(dealer with { Name = $"{dealer.Name} v{Interlocked.Increment(ref sequence)}" });
                break;
            case MixOp.SetQuota:
                var turn = (int)(Interlocked.Increment(ref quotaTurn) % Data.Dealers.Length);
                await executor.SetQuotaAsync(Data.Dealers[turn].Id, Data.Month, Interlocked.Increment(ref quotaTargets[turn]));
                break;
            case MixOp.SummaryNational:
                await executor.ChannelSummaryAsync("CN", Data.Month);
                break;
            case MixOp.SummaryRegion:
                await executor.ChannelSummaryAsync(Data.Regions[random.Next(Data.Regions.Length)], Data.Month);
                break;
            case MixOp.TopDealers:
                await executor.TopDealersAsync("CN", Data.Month, TopDealersShown);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step.Op, null);
        }
        return null;
    }

    private PlacedOrder NewOrder(Random random)
    {
        var dealer = Data.Dealers[random.Next(Data.Dealers.Length)];
        var skus = dealer.AuthorizedSkus!;
        var lines = Enumerable.Range(0, random.Next(1, 4)).Select(_ => skus[random.Next(skus.Count)]).Distinct()
            .Select(sku => new OrderLineInput(sku, random.Next(1, 10), null, null)).ToArray();
        return new PlacedOrder($"O{Interlocked.Increment(ref sequence)}-{random.Next():x8}", dealer.Id, lines);
    }

    private SellOutReport SellOut(PlacedOrder received, Random random)
    {
        var stores = storesOfDealer[received.DealerId];
        var lines = received.Lines.Select(l => new SellOutLine(l.Sku, l.Quantity, l.Quantity * listPrices[l.Sku] * 1.2m, stores[random.Next(stores.Length)])).ToArray();
        return new SellOutReport("SO-" + received.Id, received.DealerId, DateTime.UtcNow, lines);
    }
}
