using ChannelGrains.Bench;

// dotnet run -c Release --project bench/ChannelGrains.Bench -- orders [--seconds 20] [--concurrency 64] [--dealers 1000] [--skus 500]
// With ConnectionStrings__Channel set the silo keeps its state in PostgreSQL (durable); otherwise in memory.
// bench/run-orders.sh runs both modes, starting a throwaway PostgreSQL for the durable one.
// dotnet run -c Release --project bench/ChannelGrains.Bench -- freshness [--seconds 20] [--rate 1000]
// starts an embedded Api process and measures mutation acknowledged -> channelSummaryChanged message at a WebSocket client.
// load: the realistic mix against an embedded Api over HTTP + WebSocket (closed loop, then --rate mutations/s); ceiling: the
// same mix as grain calls in process; cluster: the mix through a client-mode Api with 1 and then 2 silo processes.
var options = BenchOptions.Parse(args);
return options.Command switch
{
    "orders" => await OrderBenchmark.RunAsync(options),
    "freshness" => await FreshnessBenchmark.RunAsync(options),
    "load" => await Measure(LoadBenchmark.MeasureAsync, options),
    "ceiling" => await Measure(CeilingBenchmark.MeasureAsync, options),
    "cluster" => await Measure(ClusterBenchmark.MeasureAsync, options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: orders [--seconds N] [--concurrency N] [--dealers N] [--skus N] [--lines N]");
    Console.Error.WriteLine("       freshness [--seconds N] [--rate N] [--dealers N]");
    Console.Error.WriteLine("       load [--durable] [--seconds N] [--workers N] [--clients K] [--rate N (0: skip the fixed-rate run)] [--rate-seconds N] [--settle N] [--dealers N] [--skus N] [--quick]");
    Console.Error.WriteLine("       ceiling [--durable] [--seconds N] [--workers N] [--settle N] [--dealers N] [--skus N] [--quick]");
    Console.Error.WriteLine("       cluster [--seconds N] [--workers N] [--clients K] [--dealers N] [--skus N] [--quick]   (1 then 2 silo processes, throwaway PostgreSQL)");
    return 2;
}

static async Task<int> Measure(Func<BenchOptions, BenchResults, Task> benchmark, BenchOptions options)
{
    await benchmark(options, new BenchResults());
    return 0;
}
