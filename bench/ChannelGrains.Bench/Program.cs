using ChannelGrains.Bench;

// dotnet run -c Release --project bench/ChannelGrains.Bench -- orders [--seconds 20] [--concurrency 64] [--dealers 1000] [--skus 500]
// With ConnectionStrings__Channel set the silo keeps its state in PostgreSQL (durable); otherwise in memory.
// bench/run-orders.sh runs both modes, starting a throwaway PostgreSQL for the durable one.
// dotnet run -c Release --project bench/ChannelGrains.Bench -- freshness [--seconds 20] [--rate 1000]
// starts an embedded Api process and measures mutation acknowledged -> channelSummaryChanged message at a WebSocket client.
// dotnet run -c Release --project bench/ChannelGrains.Bench -- sql [--quick]: the plain-SQL baseline (transactions, GROUP BY
// dashboards at 1 M and 10 M order lines); it starts a throwaway PostgreSQL unless ConnectionStrings__Channel is set.
// dotnet run -c Release --project bench/ChannelGrains.Bench -- scale [--quick] [--storage none]: 1 M dealers, stores and reps
// with real state in one in-process silo: activation rate, RSS and GC heap per activation.
var options = BenchOptions.Parse(args);
return options.Command switch
{
    "orders" => await OrderBenchmark.RunAsync(options),
    "freshness" => await FreshnessBenchmark.RunAsync(options),
    "sql" => await BenchReport.RunAsync(options, SqlBaselineBenchmark.MeasureAsync),
    "scale" => await BenchReport.RunAsync(options, ScaleBenchmark.MeasureAsync),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: orders [--seconds N] [--concurrency N] [--dealers N] [--skus N] [--lines N]");
    Console.Error.WriteLine("       freshness [--seconds N] [--rate N] [--dealers N]");
    Console.Error.WriteLine("       sql [--quick] [--connection CS] [--seconds N] [--clients 8] [--clients-high 32] [--dealers N] [--skus N] [--lines N]");
    Console.Error.WriteLine("           [--small-lines 1000000] [--large-lines 10000000] [--months 12] [--runs 20]");
    Console.Error.WriteLine("       scale [--quick] [--storage memory|none] [--scale-dealers 400000] [--stores 500000] [--reps 100000] [--batches 4] [--settle 5] [--sample 1000]");
    return 2;
}
