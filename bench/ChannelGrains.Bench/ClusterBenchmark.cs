using System.Globalization;

namespace ChannelGrains.Bench;

/// <summary>
/// 1 vs 2 silos: a throwaway PostgreSQL, then one <c>src/Silo</c> process and one Api in client mode (Orleans:Mode=Client)
/// running the load mix; then the same with two silo processes (a fresh database and cluster id each time, so the runs
/// share no state). Every process, the driver and PostgreSQL share this machine's cores, so the ratio shows what a
/// second silo costs or gains here, not what a second machine would add.
/// </summary>
public static class ClusterBenchmark
{
    public static async Task MeasureAsync(BenchOptions options, BenchResults results)
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        var throughput = new Dictionary<int, double>();
        foreach (var silos in new[] { 1, 2 })
        {
            var shared = new Dictionary<string, string>
            {
                ["ConnectionStrings__Channel"] = await postgres.CreateDatabaseAsync($"cluster{silos}"),
                ["Orleans__ClusterId"] = $"bench{silos}-{Environment.ProcessId}",
            };
            var processes = new List<ChildApp>();
            try
            {
                // The first silo migrates the schema; the others join it.
                processes.Add(await ChildApp.StartSiloAsync(shared));
                processes.AddRange(await Task.WhenAll(Enumerable.Range(1, silos - 1).Select(_ => ChildApp.StartSiloAsync(shared))));
                var api = await ChildApp.StartApiAsync(new Dictionary<string, string>(shared) { ["Orleans__Mode"] = "Client" });
                processes.Add(api);
                Console.WriteLine($"== cluster, {silos} silo process{(silos > 1 ? "es" : "")} (durable, PostgreSQL clustering) + 1 client-mode Api at {api.BaseAddress}");
                var report = await LoadBenchmark.RunOverHttpAsync(options, results, $"cluster.{silos}silo", api.BaseAddress,
                    () => processes.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.CpuTime), rate: 0);
                throughput[silos] = report.MutationsPerSecond;
            }
            finally
            {
                foreach (var process in processes) process.Dispose();
            }
        }
        var ratio = throughput[2] / throughput[1];
        results.Add("cluster", "2 silos / 1 silo mutations/s", ratio, "x");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"-- cluster: 1 silo {throughput[1]:N0} mutations/s, 2 silos {throughput[2]:N0} mutations/s, ratio {ratio:F2}x (all processes on the same {Environment.ProcessorCount} cores)"));
    }
}
