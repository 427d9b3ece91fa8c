using System.Diagnostics;

namespace ChannelGrains.Bench;

/// <summary>
/// The ceiling: the same mix, weights and seed as <c>load</c>, as direct grain calls in an in-process silo (no HTTP, no
/// GraphQL, no auth, no WebSocket fan-out), so that load ÷ ceiling shows what the layers above the grains cost.
/// In memory, or durable with <c>--durable</c> or <c>ConnectionStrings__Channel</c>.
/// </summary>
public static class CeilingBenchmark
{
    public static Task MeasureAsync(BenchOptions options, BenchResults results) => ThrowawayPostgres.RunAsync(options, "ceiling", async connectionString =>
    {
        // --calls and --allocations print what the mix costs per mutation in grain calls and by allocated type; they
        // slow the run, so throughput is never compared with either on.
        var calls = options.Flag("calls") ? new GrainCallCounter() : null;
        await using var silo = await InProcessSilo.StartAsync(connectionString, calls: calls);
        var bench = connectionString is null ? "ceiling.memory" : "ceiling.durable";
        var workers = options.Int("workers", 64);
        var mix = new Mix($"ceiling{Environment.ProcessId}", options);
        var executor = new GrainExecutor(silo.Grains, mix.Data.Tenant);
        var seeding = Stopwatch.StartNew();
        await executor.SeedAsync(mix.Data);
        Console.WriteLine($"== ceiling, in-process silo {(connectionString is null ? "in memory" : "durable (PostgreSQL)")}: seeded {mix.Data.Products.Length:N0} products, "
            + $"{mix.Data.Dealers.Length:N0} dealers, {mix.Data.Stores.Length:N0} stores in {seeding.Elapsed.TotalSeconds:F1} s; {workers} workers calling grains directly, "
            + "driver and silo in one process on the same cores; no subscriptions (freshness: see load)");
        var idle = await LoadBenchmark.SettleAsync(() => Process.GetCurrentProcess().TotalProcessorTime, options.Int("settle", options.Quick ? 2 : 30),
            "process CPU with no calls (after seeding)");
        results.Add(bench, "process CPU idle", idle, "cores");
        await IdleRead.MeasureAsync(executor, mix, results, bench, IdleRead.WarmUp(options));
        await MixRunner.WarmUpAsync(mix, executor, options, workers);
        // Allocation and GC pauses per mutation, of the whole process: steadier than throughput on a noisy machine, so
        // a change is compared by these first.
        using var sampler = options.Flag("allocations") ? new AllocationSampler() : null;
        sampler?.Start();
        calls?.Start();
        var (allocated, paused) = (GC.GetTotalAllocatedBytes(precise: false), GC.GetTotalPauseDuration());
        var report = await MixRunner.RunAsync(mix, executor, new MixSettings(workers, TimeSpan.FromSeconds(options.Seconds)));
        var mutations = Math.Max(1, report.MutationsPerSecond * report.Seconds);
        var allocatedPerMutation = (GC.GetTotalAllocatedBytes(precise: false) - allocated) / 1024.0 / mutations;
        var pausedPerMutation = (GC.GetTotalPauseDuration() - paused).TotalMicroseconds / mutations;
        Console.WriteLine($"-- {bench}");
        report.Print(Console.Out);
        Console.WriteLine($"  allocated {allocatedPerMutation:F1} KB and GC pauses {pausedPerMutation:F1} µs per mutation (reads included), driver included");
        var driver = await DriverMicrosecondsPerOperationAsync(options);
        var cpuPerMutation = report.DriverCpu.TotalMicroseconds / mutations;
        var siloPerMutation = cpuPerMutation - driver * report.OpsPerSecond / report.MutationsPerSecond;
        Console.WriteLine($"  CPU per mutation (reads included): {cpuPerMutation:F0} µs, of which the driver's own work {cpuPerMutation - siloPerMutation:F1} µs "
            + $"({driver:F1} µs per operation against a no-op executor, a floor): on 2 cores of their own the grains would do about {2e6 / siloPerMutation:N0} mutations/s");
        sampler?.Print(Console.Out, mutations);
        calls?.Print(Console.Out, mutations);
        report.AddTo(results, bench);
        results.Add(bench, "allocated per mutation", allocatedPerMutation, "KB");
        results.Add(bench, "GC pause per mutation", pausedPerMutation, "µs");
        results.Add(bench, "CPU per mutation", cpuPerMutation, "µs");
        results.Add(bench, "CPU per mutation without the driver", siloPerMutation, "µs");
    });

    /// <summary>
    /// The driver's own CPU per operation: the same mix against <see cref="NullMixExecutor"/>, one worker for 1 s. Its
    /// operations complete at once, so the worker keeps one thread busy and the wall time is that thread's CPU time. A
    /// floor: against grains, each operation's awaits also suspend and resume the driver, which this does not count.
    /// </summary>
    private static async Task<double> DriverMicrosecondsPerOperationAsync(BenchOptions options)
    {
        var report = await MixRunner.RunAsync(new Mix("driver", options), new NullMixExecutor(), new MixSettings(1, TimeSpan.FromSeconds(1)));
        return 1e6 / Math.Max(1, report.OpsPerSecond);
    }
}
