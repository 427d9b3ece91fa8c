using ChannelGrains.Bench;

// dotnet run -c Release --project bench/ChannelGrains.Bench -- orders [--seconds 20] [--concurrency 64] [--dealers 1000] [--skus 500]
// With ConnectionStrings__Channel set the silo keeps its state in PostgreSQL (durable); otherwise in memory.
// bench/run-orders.sh runs both modes, starting a throwaway PostgreSQL for the durable one.
// dotnet run -c Release --project bench/ChannelGrains.Bench -- freshness [--seconds 20] [--rate 1000]
// starts an embedded Api process and measures mutation acknowledged -> channelSummaryChanged message at a WebSocket client.
var options = BenchOptions.Parse(args);
return options.Command switch
{
    "orders" => await OrderBenchmark.RunAsync(options),
    "freshness" => await FreshnessBenchmark.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: orders [--seconds N] [--concurrency N] [--dealers N] [--skus N] [--lines N]");
    Console.Error.WriteLine("       freshness [--seconds N] [--rate N] [--dealers N]");
    return 2;
}
