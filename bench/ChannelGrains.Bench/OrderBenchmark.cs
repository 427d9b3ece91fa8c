using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;

namespace ChannelGrains.Bench;

/// <summary>
/// placeOrder through the grains of one in-process silo (no HTTP, no GraphQL): 1–N lines per order across many
/// dealers and SKUs, a fixed number of orders in flight, for a fixed time.
/// </summary>
public static class OrderBenchmark
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Channel");
        var durable = !string.IsNullOrWhiteSpace(connectionString);
        await using var silo = await InProcessSilo.StartAsync(durable ? connectionString : null);
        var grains = silo.Grains;
        var tenant = "bench" + Environment.ProcessId;

        var skus = Enumerable.Range(0, options.Skus).Select(i => $"SKU{i:0000}").ToArray();
        await Parallel.ForEachAsync(skus, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (sku, _) =>
        {
            var product = grains.GetGrain<IProductGrain>(Keys.Of(tenant, sku));
            await product.UpsertAsync(new ProductInfo(sku, sku, 10m, 8m));
            await product.AdjustStockAsync(1_000_000_000, "bench stock");
        });
        var dealers = Enumerable.Range(0, options.Dealers).Select(i => $"D{i:00000}").ToArray();
        var registry = new DealerRegistry(grains);
        foreach (var batch in dealers.Chunk(Bulk.MaxBatch))
            await registry.UpsertAsync(tenant, batch.Select(d => new DealerInfo(d, d, "CN/East", DealerTier.Value, DealerStatus.Admitted, decimal.MaxValue / 4, skus)).ToArray());

        Console.WriteLine($"placeOrder, {(durable ? "durable (PostgreSQL)" : "in memory")}: {options.Dealers} dealers, {options.Skus} SKUs, "
            + $"1–{options.MaxLines} lines, {options.Concurrency} in flight, {options.Seconds} s (after a 3 s warm-up)");
        await DriveAsync(grains, tenant, dealers, skus, options, TimeSpan.FromSeconds(3), new LatencyRecorder());
        var recorder = new LatencyRecorder();
        await DriveAsync(grains, tenant, dealers, skus, options, TimeSpan.FromSeconds(options.Seconds), recorder);
        Console.WriteLine(recorder.Report(durable ? "durable" : "memory"));
        return 0;
    }

    private static async Task DriveAsync(IGrainFactory grains, string tenant, string[] dealers, string[] skus, BenchOptions options, TimeSpan duration, LatencyRecorder recorder)
    {
        var deadline = DateTime.UtcNow + duration;
        var next = 0L;
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async worker =>
        {
            var random = new Random(worker);
            while (DateTime.UtcNow < deadline)
            {
                var id = $"O{Interlocked.Increment(ref next)}-{Guid.NewGuid():N}";
                var lines = skus.OrderBy(_ => random.Next()).Take(random.Next(1, options.MaxLines + 1))
                    .Select(s => new OrderLineInput(s, random.Next(1, 10), null, null)).ToArray();
                var order = new PlaceOrder(id, dealers[random.Next(dealers.Length)], lines);
                await recorder.TimeAsync(() => grains.GetGrain<IOrderGrain>(Keys.Of(tenant, id)).PlaceAsync(order));
            }
        }));
    }
}
