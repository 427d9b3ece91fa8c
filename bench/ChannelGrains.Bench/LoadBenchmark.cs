using System.Diagnostics;
using System.Globalization;
using ChannelGrains.Api.Analytics;

namespace ChannelGrains.Bench;

/// <summary>
/// The mix against the real Api: an embedded Api process (in memory, or durable with <c>--durable</c> or
/// <c>ConnectionStrings__Channel</c>), seeded through the bulk mutations, driven over GraphQL over HTTP by a fixed
/// number of workers while K WebSocket clients follow channelSummaryChanged (national, this month) and orderChanged.
/// Then the same mix at a fixed mutation rate (<c>--rate</c>, default 1,000/s; 0 skips it) for freshness under a
/// steady load, measured after <c>--rate-warmup</c> seconds (default 10) at that rate.
/// </summary>
public static class LoadBenchmark
{
    public static Task MeasureAsync(BenchOptions options, BenchResults results) => ThrowawayPostgres.RunAsync(options, "load", async connectionString =>
    {
        using var api = await ChildApp.StartApiAsync(connectionString is null ? null : new Dictionary<string, string> { ["ConnectionStrings__Channel"] = connectionString });
        Console.WriteLine($"== load, embedded Api {(connectionString is null ? "in memory" : "durable (PostgreSQL)")} at {api.BaseAddress}");
        await RunOverHttpAsync(options, results, connectionString is null ? "load.memory" : "load.durable", api.BaseAddress, () => api.CpuTime, options.Int("rate", 1000));
    });

    /// <summary>Seeds a new tenant, subscribes the WebSocket clients, warms up, runs the closed loop (and the fixed-rate run when <paramref name="rate"/> &gt; 0).</summary>
    internal static async Task<MixReport> RunOverHttpAsync(BenchOptions options, BenchResults results, string bench, Uri baseAddress, Func<TimeSpan> serverCpu, int rate)
    {
        var workers = options.Int("workers", 64);
        var clients = options.Int("clients", 8);
        var tenant = $"load{Environment.ProcessId}x{Environment.TickCount64 % 100000}";
        var mix = new Mix(tenant, options);
        var token = ChildApp.AdminToken(tenant);
        using var executor = new GraphQLHttpExecutor(baseAddress, token, Math.Max(workers, options.Int("rate-workers", 256)));
        var seeding = Stopwatch.StartNew();
        await executor.SeedAsync(mix.Data);
        Console.WriteLine($"  seeded {mix.Data.Products.Length:N0} products, {mix.Data.Dealers.Length:N0} dealers, {mix.Data.Stores.Length:N0} stores through the bulk mutations in {seeding.Elapsed.TotalSeconds:F1} s; "
            + $"{workers} HTTP workers (one connection each), {clients} WebSocket clients; the driver runs on the same {Environment.ProcessorCount} cores as the server");
        await using var watch = await SubscriptionWatch.StartAsync(baseAddress, token, clients, mix.Data);
        var idleCores = await SettleAsync(serverCpu, options.Int("settle", options.Quick ? 2 : 30));
        results.Add(bench, "server CPU idle", idleCores, "cores");
        await IdleRead.MeasureAsync(executor, mix, results, bench, IdleRead.WarmUp(options));
        await MixRunner.WarmUpAsync(mix, executor, options, workers, watch.OnAck);

        var report = await RunPhaseAsync(mix, executor, watch, new MixSettings(workers, TimeSpan.FromSeconds(options.Seconds)), serverCpu, results, bench);
        if (rate > 0)
        {
            var seconds = options.Int("rate-seconds", options.Seconds);
            // Not measured: the step from the saturated closed loop to the fixed rate. The server enters it with a
            // backlog (the live pipeline's, and the JIT still compiling hot methods, about 45 s under load), and a
            // timeline of the first seconds at 1,000/s showed latencies climbing to 1.3 s and draining for 13 s.
            var warmUp = options.Int("rate-warmup", options.Quick ? 2 : 10);
            if (warmUp > 0) await MixRunner.RunAsync(mix, executor, new MixSettings(options.Int("rate-workers", 256), TimeSpan.FromSeconds(warmUp), rate), watch.OnAck);
            await RunPhaseAsync(mix, executor, watch, new MixSettings(options.Int("rate-workers", 256), TimeSpan.FromSeconds(seconds), rate), serverCpu, results,
                string.Create(CultureInfo.InvariantCulture, $"{bench}@{rate}/s"));
        }
        return report;
    }

    /// <summary>
    /// Waits (at most <paramref name="seconds"/>) for the server to settle after seeding — the live pipeline propagates the
    /// seeded dealers for a while — and prints its CPU with no requests per 2 s window; the last one is its background cost.
    /// </summary>
    internal static async Task<double> SettleAsync(Func<TimeSpan> serverCpu, int seconds, string what = "server CPU with no requests (after seeding, subscribers connected)")
    {
        var windows = new List<double>();
        for (var i = 0; i < Math.Max(1, seconds / 2) && (windows.Count == 0 || windows[^1] > 0.25); i++)
        {
            var before = serverCpu();
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(2));
            windows.Add((serverCpu() - before).TotalSeconds / clock.Elapsed.TotalSeconds);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what}, per 2 s: {string.Join(", ", windows.Select(w => w.ToString("F2", CultureInfo.InvariantCulture)))} cores"));
        return windows[^1];
    }

    private static async Task<MixReport> RunPhaseAsync(Mix mix, IMixExecutor executor, SubscriptionWatch watch, MixSettings settings, Func<TimeSpan> serverCpu, BenchResults results, string bench)
    {
        var messagesBefore = watch.Messages;
        var since = Stopwatch.GetTimestamp();
        var cpuBefore = serverCpu();
        var report = await MixRunner.RunAsync(mix, executor, settings, watch.OnAck);
        var serverCores = (serverCpu() - cpuBefore).TotalSeconds / report.Seconds;
        var (summary, quotaAcks, orders, orderAcks) = await watch.ResultAsync(TimeSpan.FromSeconds(1.5), since);
        Console.WriteLine($"-- {bench}");
        report.Print(Console.Out);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  server processes CPU {serverCores:F2} cores; {watch.Messages - messagesBefore:N0} WebSocket messages, {watch.Errors} subscription errors"));
        Console.WriteLine($"  freshness setQuota ack -> channelSummaryChanged(CN) at each client (at most one message per {AnalyticsFields.SubscriptionInterval.TotalMilliseconds:F0} ms by design): {Freshness.Describe(summary, quotaAcks)}");
        Console.WriteLine($"  freshness placeOrder ack -> orderChanged of a watched dealer: {Freshness.Describe(orders, orderAcks)}");
        report.AddTo(results, bench);
        results.Add(bench, "freshness summary p50", Samples.Percentile(summary, 0.5), "ms");
        results.Add(bench, "freshness summary p99", Samples.Percentile(summary, 0.99), "ms");
        results.Add(bench, "freshness orderChanged p50", Samples.Percentile(orders, 0.5), "ms");
        results.Add(bench, "freshness orderChanged p99", Samples.Percentile(orders, 0.99), "ms");
        results.Add(bench, "server CPU", serverCores, "cores");
        return report;
    }
}
