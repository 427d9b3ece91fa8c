using ChannelGrains.Bench;

// dotnet run -c Release --project bench/ChannelGrains.Bench -- orders [--seconds 20] [--concurrency 64] [--dealers 1000] [--skus 500]
// With ConnectionStrings__Channel set the silo keeps its state in PostgreSQL (durable); otherwise in memory.
// bench/run-orders.sh runs both modes, starting a throwaway PostgreSQL for the durable one.
var options = BenchOptions.Parse(args);
return options.Command switch
{
    "orders" => await OrderBenchmark.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: orders [--seconds N] [--concurrency N] [--dealers N] [--skus N] [--lines N]");
    return 2;
}
