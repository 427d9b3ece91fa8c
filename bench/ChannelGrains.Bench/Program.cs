using ChannelGrains.Bench;

// dotnet bench/ChannelGrains.Bench/bin/Release/net10.0/ChannelGrains.Bench.dll <command> [options]; docs/benchmarks.md has the results.
// all [--quick]: every benchmark below in one invocation, then the ratios the issue asks for (grains vs plain SQL).
// load: the realistic mix against an embedded Api over HTTP + WebSocket (closed loop, then --rate mutations/s); ceiling: the
// same mix as grain calls in process; cluster: the mix through a client-mode Api with 1 and then 2 silo processes.
// sql: the plain-SQL baseline (transactions, GROUP BY dashboards at 1 M and 10 M order lines; a throwaway PostgreSQL unless
// ConnectionStrings__Channel is set). scale [--storage none]: dealers, stores and reps with real state in one in-process
// silo: activation rate, RSS and GC heap per activation.
// orders: placeOrder alone through the grains; history: dealers with months of sell-out receipts; freshness: setQuota over HTTP -> channelSummaryChanged over WebSocket.
// --durable runs load and ceiling on a throwaway PostgreSQL.
var options = BenchOptions.Parse(args);
return options.Command switch
{
    "all" => await AllBenchmarks.RunAsync(options),
    "orders" => await OrderBenchmark.RunAsync(options),
    "history" => await SellOutHistoryBenchmark.RunAsync(options),
    "freshness" => await FreshnessBenchmark.RunAsync(options),
    "sql" => await BenchReport.RunAsync(options, SqlBaselineBenchmark.MeasureAsync),
    "scale" => await BenchReport.RunAsync(options, ScaleBenchmark.MeasureAsync),
    "load" => await BenchReport.RunAsync(options, LoadBenchmark.MeasureAsync),
    "ceiling" => await BenchReport.RunAsync(options, CeilingBenchmark.MeasureAsync),
    "cluster" => await BenchReport.RunAsync(options, ClusterBenchmark.MeasureAsync),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: all [--quick]");
    Console.Error.WriteLine("       orders [--seconds N] [--concurrency N] [--dealers N] [--skus N] [--lines N]");
    Console.Error.WriteLine("       freshness [--seconds N] [--rate N] [--dealers N]");
    Console.Error.WriteLine("       history [--durable] [--quick] [--history-dealers 16] [--months 24] [--reports 120] [--history-skus 20] [--heal-seconds 1] [--closed-months-held 3]   (sell-out reports per dealer and month, each of 3 SKUs)");
    Console.Error.WriteLine("       sql [--quick] [--connection CS] [--seconds N] [--clients 8] [--clients-high 32] [--dealers N] [--skus N] [--lines N]");
    Console.Error.WriteLine("           [--small-lines 1000000] [--large-lines 10000000] [--months 12] [--runs 20]");
    Console.Error.WriteLine("       scale [--quick] [--results-file F] [--storage memory|none|durable] [--scale-dealers 400000] [--stores 500000] [--reps 100000] [--batches 4] [--settle 5] [--sample 1000]");
    Console.Error.WriteLine("       load [--durable] [--warmup 30] [--seconds N] [--workers N] [--clients K] [--rate N (0: skip the fixed-rate run)] [--rate-seconds N] [--rate-warmup 10] [--settle N] [--read-warmup-ms 3000] [--dealers N] [--skus N] [--quick]");
    Console.Error.WriteLine("       ceiling [--durable] [--warmup 30] [--seconds N] [--workers N] [--settle N] [--read-warmup-ms 3000] [--dealers N] [--skus N] [--quick] [--calls] [--allocations]   (grain calls, allocated types per mutation)");
    Console.Error.WriteLine("       cluster [--warmup 30] [--seconds N] [--workers N] [--clients K] [--dealers N] [--skus N] [--quick]   (1 then 2 silo processes, throwaway PostgreSQL)");
    return 2;
}
