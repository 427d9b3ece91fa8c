using System.Diagnostics;
using ChannelGrains.Partners;

namespace ChannelGrains.Analytics.Bench;

/// <summary>
/// The arithmetic of one month aggregate's pushes, without grains: 16 source shards of 50 dealers each, every dealer
/// selling 20 SKUs of a catalogue of <c>skus</c>. An update changes one dealer's figures for 3 of its SKUs; its shard
/// recomputes its part, the aggregate replaces that input and computes its own result, as a push up the tree does.
/// Prints updates per second and bytes allocated per update, on one thread, for each catalogue size asked.
/// </summary>
public static class RollupPushes
{
    private const int Shards = 16, DealersPerShard = 50, SkusPerDealer = 20, SkusChanged = 3;

    public static void Run(IReadOnlyList<int> catalogues, int updates)
    {
        foreach (var skus in catalogues)
        {
            Measure(skus, updates / 10, print: false); // JIT
            Measure(skus, updates, print: true);
        }
    }

    private static void Measure(int catalogue, int updates, bool print)
    {
        var random = new Random(7);
        var skus = Enumerable.Range(0, catalogue).Select(i => $"SKU{i:00000}").ToArray();
        var dealers = new Contribution[Shards, DealersPerShard];
        var shards = new Rollup.Accumulator[Shards];
        var parts = new ChannelTotals[Shards];
        var month = new Rollup.Accumulator();
        for (var s = 0; s < Shards; s++)
        {
            shards[s] = new Rollup.Accumulator();
            for (var d = 0; d < DealersPerShard; d++)
            {
                var sold = Enumerable.Range(0, catalogue).OrderBy(_ => random.Next()).Take(Math.Min(SkusPerDealer, catalogue))
                    .Select(i => new SkuFigures(skus[i], random.Next(1, 9), 10m, random.Next(1, 9), 12m, random.Next(0, 99))).ToArray();
                shards[s].Add(dealers[s, d] = Dealer(s, d, 1, sold));
            }
            month.Add(parts[s] = shards[s].ToTotals(null));
        }
        month.ToTotals(null);

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var u = 0; u < updates; u++)
        {
            var (s, d) = (random.Next(Shards), random.Next(DealersPerShard));
            var held = dealers[s, d];
            var sold = held.Skus.ToArray();
            for (var k = 0; k < SkusChanged; k++)
            {
                var i = random.Next(sold.Length);
                sold[i] = sold[i] with { SellOutUnits = sold[i].SellOutUnits + 1, StockUnits = sold[i].StockUnits - 1 };
            }
            var now = dealers[s, d] = Dealer(s, d, held.Version + 1, sold);
            shards[s].Remove(held);
            shards[s].Add(now);
            var part = shards[s].ToTotals(null);
            month.Replace(parts[s], part);
            parts[s] = part;
            month.ToTotals(null);
        }
        var elapsed = clock.Elapsed;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        if (print)
            Console.WriteLine($"rollup: {catalogue,6:N0} SKUs in the catalogue: {updates / elapsed.TotalSeconds,10:N0} updates/s, {allocated / (double)updates,10:N0} B allocated per update "
                + $"(dealer, shard part and month result)");
    }

    private static Contribution Dealer(int shard, int dealer, long version, SkuFigures[] sold) =>
        new("bench", Contribution.DealerSource($"D{shard}-{dealer}"), version, "CN/East", DealerTier.Strategic, "2026-11",
            new ChannelFigures { OrderCount = 1, SellOutValue = sold.Sum(s => s.SellOutUnits * 12m), ChannelStockUnits = sold.Sum(s => s.StockUnits) }, sold);
}
