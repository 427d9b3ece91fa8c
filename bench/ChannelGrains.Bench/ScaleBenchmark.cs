using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using ChannelGrains.Common;
using ChannelGrains.Fields;
using ChannelGrains.Partners;
using ChannelGrains.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Storage;

namespace ChannelGrains.Bench;

/// <summary>
/// One in-process silo (memory storage, no PostgreSQL) holding channel grains with real state, created through their
/// real methods: dealers through <see cref="DealerRegistry"/> (profile, region, credit, a few authorised SKUs; the
/// dealer index too), stores and reps through their profile upserts in bulk batches. Reports the activation rate, RSS
/// and managed heap before and after (full compacting GC first), bytes per activation, the activations by grain type,
/// and that a sample still answers. Grain collection is pushed beyond the run so nothing is deactivated.
/// <c>--storage none</c> drops state writes instead of keeping memory storage's copy of every state.
/// </summary>
public static class ScaleBenchmark
{
    private const string Bench = "scale";

    public static async Task MeasureAsync(BenchOptions options, BenchResults results)
    {
        var storage = options.Text("storage") ?? "memory";
        if (storage is not ("memory" or "none" or "durable")) throw new ArgumentException("--storage is memory, none or durable");
        if (storage != "durable")
        {
            await MeasureAsync(options, results, storage, connectionString: "");
            return;
        }
        // Durable: the states live in PostgreSQL (its own process: its memory is not the silo's), written through the
        // group-commit store, as a production silo keeps them.
        var given = Environment.GetEnvironmentVariable("ConnectionStrings__Channel");
        if (!string.IsNullOrWhiteSpace(given))
        {
            await MeasureAsync(options, results, storage, given);
            return;
        }
        await using var server = await ThrowawayPostgres.StartAsync();
        await MeasureAsync(options, results, storage, await server.CreateDatabaseAsync("scale"));
    }

    private static async Task MeasureAsync(BenchOptions options, BenchResults results, string storage, string connectionString)
    {
        var table = new BenchReport(results, storage == "memory" ? Bench : $"{Bench}.storage-{storage}");

        var scale = options.Quick ? 10 : 1;
        var counts = new (string Kind, int Count)[]
        {
            ("dealers", options.Int("scale-dealers", 400_000 / scale)),
            ("stores", options.Int("stores", 500_000 / scale)),
            ("reps", options.Int("reps", 100_000 / scale)),
        };
        var total = counts.Sum(c => c.Count);
        var inFlight = options.Int("batches", 2);

        var builder = Host.CreateApplicationBuilder();
        var stopping = false;
        // Errors while running; nothing while stopping (a million grains' timers firing at a silo that is going away).
        builder.Logging.AddFilter((_, level) => level >= LogLevel.Error && !Volatile.Read(ref stopping));
        // The storage asked for whatever the environment says, and a cluster of its own on free ports: another silo on
        // this machine (a test, another benchmark) must not join it.
        builder.Configuration.AddInMemoryCollection([
            new("ConnectionStrings:Channel", connectionString),
            new("Orleans:ClusterId", $"scale-{Environment.ProcessId}"),
            new("Orleans:SiloPort", ChildApp.FreePort().ToString(CultureInfo.InvariantCulture)),
            new("Orleans:GatewayPort", ChildApp.FreePort().ToString(CultureInfo.InvariantCulture)),
        ]);
        builder.UseOrleans(silo =>
        {
            silo.UseChannelSilo(builder.Configuration, localhostClustering: true);
            silo.Configure<GrainCollectionOptions>(collection => collection.CollectionAge = TimeSpan.FromDays(1));
            if (storage == "none") silo.Services.AddKeyedSingleton<IGrainStorage>(Common.StorageNames.Channel, (_, _) => new NullGrainStorage());
        });
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var skus = Enumerable.Range(0, 500).Select(i => $"SKU{i:0000}").ToArray();

        Console.WriteLine($"scale: {string.Join(" + ", counts.Select(c => $"{c.Count:N0} {c.Kind}"))} = {total:N0} grains in one silo, "
            + $"storage {storage switch { "memory" => "memory (it keeps a serialized copy of every state besides the activation's)", "durable" => "durable (PostgreSQL, group commit)", _ => "none (writes dropped: the activations alone)" }}, "
            + $"{(GCSettings.IsServerGC ? "Server" : "Workstation")} GC, {Environment.ProcessorCount} cores, "
            + $"DOTNET_GCHeapHardLimit {Environment.GetEnvironmentVariable("DOTNET_GCHeapHardLimit") ?? "unset"}, {MallocArenas.Variable} {MallocArenas.Current}; {inFlight} batches of {Bulk.MaxBatch} in flight");

        await ActivateAsync(grains, "warm", skus, counts.Select(c => (c.Kind, Math.Min(1_000, Math.Max(1, c.Count / 4)))).ToArray(), inFlight); // JIT and first-use allocations
        var before = await SettleAndMeasureAsync(options);
        var activationCounts = await ActivationsByTypeAsync(grains);

        var tenant = "scale" + Environment.ProcessId;
        var seconds = 0.0;
        var previous = before;
        foreach (var (kind, count) in counts)
        {
            var (_, kindSeconds) = (await ActivateAsync(grains, tenant, skus, [(kind, count)], inFlight)).Single();
            seconds += kindSeconds;
            var now = await SettleAndMeasureAsync(options);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {kind}: {count:N0} in {kindSeconds:F1} s = {count / kindSeconds:N0}/s; RSS +{(now.Rss - previous.Rss) / (double)count:N0} B, GC heap +{(now.Heap - previous.Heap) / (double)count:N0} B per {kind[..^1]}"));
            table.Add($"{kind} activated/s", count / kindSeconds, "grains/s");
            table.Add($"RSS per {kind[..^1]}", (now.Rss - previous.Rss) / (double)count, "bytes");
            table.Add($"GC heap per {kind[..^1]}", (now.Heap - previous.Heap) / (double)count, "bytes");
            previous = now;
        }
        table.Add("activation rate (all, excluding the pauses to measure)", total / seconds, "grains/s");
        var after = previous;
        var afterCounts = await ActivationsByTypeAsync(grains);

        Console.WriteLine("  activations added, by grain type:");
        foreach (var (type, count) in afterCounts.Select(t => (t.Key, t.Value - activationCounts.GetValueOrDefault(t.Key))).Where(t => t.Item2 != 0).OrderByDescending(t => t.Item2).Take(12))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {count,10:N0}  {type}"));
        var added = afterCounts.Values.Sum() - activationCounts.Values.Sum();
        table.Add("activations added (all grain types)", added, "activations");

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  before: RSS {Mib(before.Rss):N0} MiB, GC heap {Mib(before.Heap):N0} MiB (committed {Mib(before.Committed):N0} MiB); "
            + $"after: RSS {Mib(after.Rss):N0} MiB, GC heap {Mib(after.Heap):N0} MiB (committed {Mib(after.Committed):N0} MiB)"));
        table.Add("RSS before", Mib(before.Rss), "MiB");
        table.Add("RSS after", Mib(after.Rss), "MiB");
        if (PeakRss() is { } peak) table.Add("peak RSS (the whole run)", Mib(peak), "MiB");
        table.Add("GC heap before", Mib(before.Heap), "MiB");
        table.Add("GC heap after", Mib(after.Heap), "MiB");
        table.Add("GC committed after", Mib(after.Committed), "MiB");
        table.Add("RSS per channel grain", (after.Rss - before.Rss) / (double)total, "bytes");
        table.Add("GC heap per channel grain", (after.Heap - before.Heap) / (double)total, "bytes");
        table.Add("RSS per activation (all types)", (after.Rss - before.Rss) / (double)Math.Max(1, added), "bytes");
        table.Add("RSS projected for 1 M channel grains", (before.Rss + (after.Rss - before.Rss) * (1_000_000.0 / total)) / (1L << 30), "GiB");

        var (sampled, wrong) = await CheckSampleAsync(grains, tenant, counts, options.Int("sample", 1_000));
        var checkedCounts = await ActivationsByTypeAsync(grains);
        var lost = activationCounts.Keys.Union(afterCounts.Keys).Where(IsChannelGrain)
            .Sum(t => Math.Max(0, afterCounts.GetValueOrDefault(t) - checkedCounts.GetValueOrDefault(t)));
        table.Add("batches sent again after a timeout", retriedBatches, "batches");
        Console.WriteLine($"  sample: {sampled:N0} grains read back, {wrong:N0} missing or wrong; channel activations lost since the run: {lost:N0}");
        table.Add("sample wrong or missing", wrong, "grains");
        table.Add("channel activations collected during the run", lost, "activations");

        table.Print();
        Volatile.Write(ref stopping, true);
        await host.StopAsync();
    }

    /// <summary>The process's high-water RSS (Linux <c>VmHWM</c>), or null where /proc is not there.</summary>
    private static long? PeakRss()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static bool IsChannelGrain(string type) => type.Contains("ChannelGrains", StringComparison.Ordinal);

    private static double Mib(long bytes) => bytes / 1024.0 / 1024.0;

    private static string Id(string kind, int i) => string.Create(CultureInfo.InvariantCulture, $"{char.ToUpperInvariant(kind[0])}{i:0000000}");

    private static string Region(int i) => string.Create(CultureInfo.InvariantCulture, $"CN/R{i % 8}/C{i % 32}");

    /// <summary>Creates each kind in turn with <paramref name="inFlight"/> bulk batches at a time; the seconds each kind took.</summary>
    private static async Task<List<(string Kind, double Seconds)>> ActivateAsync(IGrainFactory grains, string tenant, string[] skus, (string Kind, int Count)[] counts, int inFlight)
    {
        var registry = new DealerRegistry(grains);
        var timings = new List<(string, double)>();
        foreach (var (kind, count) in counts)
        {
            var clock = Stopwatch.StartNew();
            var batches = Enumerable.Range(0, count).Chunk(Bulk.MaxBatch);
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = inFlight }, async (batch, _) =>
            {
                // Upserts are idempotent: a batch that timed out on an overloaded machine is sent again (and counted).
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await UpsertBatchAsync(grains, registry, tenant, skus, kind, batch);
                        return;
                    }
                    catch (TimeoutException) when (attempt < 5)
                    {
                        Interlocked.Increment(ref retriedBatches);
                    }
                }
            });
            timings.Add((kind, clock.Elapsed.TotalSeconds));
        }
        return timings;
    }

    private static int retriedBatches;

    private static async Task UpsertBatchAsync(IGrainFactory grains, DealerRegistry registry, string tenant, string[] skus, string kind, int[] batch)
    {
        switch (kind)
        {
            case "dealers":
                var dealers = batch.Select(i => new DealerInfo(Id(kind, i), $"Dealer {i} Trading Co.", Region(i), (DealerTier)(i % 3), DealerStatus.Admitted,
                    100_000m + i % 50 * 1_000m, Enumerable.Range(0, 5).Select(k => skus[(i * 7 + k * 101) % skus.Length]).ToArray())).ToArray();
                await registry.UpsertAsync(tenant, dealers);
                break;
            case "stores":
                var stores = batch.Select(i => new StoreInfo(Id(kind, i), $"Store {i}", Id("dealers", i % 400_000), Region(i), 20 + i % 2_000 / 100.0, 100 + i % 3_000 / 100.0)).ToArray();
                await Bulk.UpsertAsync(stores, s => s.Validated(), s => s.Id, s => grains.GetGrain<IStoreGrain>(Keys.Of(tenant, s.Id)).UpsertAsync(s));
                break;
            default:
                var reps = batch.Select(i => new PartnerInfo(Id(kind, i), $"Rep {i}", Region(i))).ToArray();
                await Bulk.UpsertAsync(reps, r => r.Validated(), r => r.Id, r => grains.GetGrain<IRepGrain>(Keys.Of(tenant, r.Id)).UpsertAsync(r));
                break;
        }
    }

    /// <summary>Lets streams and contribution flushes drain, then a full blocking compacting GC (large objects too) before reading.</summary>
    private static async Task<(long Rss, long Heap, long Committed)> SettleAndMeasureAsync(BenchOptions options)
    {
        await Task.Delay(TimeSpan.FromSeconds(options.Int("settle", 3)));
        for (var i = 0; i < 2; i++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        return (process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false), info.TotalCommittedBytes);
    }

    private static async Task<Dictionary<string, int>> ActivationsByTypeAsync(IGrainFactory grains)
    {
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return statistics.GroupBy(s => s.GrainType).ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));
    }

    private static async Task<(int Sampled, int Wrong)> CheckSampleAsync(IGrainFactory grains, string tenant, (string Kind, int Count)[] counts, int perKind)
    {
        var random = new Random(42);
        var wrong = 0;
        var sampled = 0;
        foreach (var (kind, count) in counts)
        {
            var picks = Enumerable.Range(0, Math.Min(perKind, count)).Select(_ => random.Next(count)).ToArray();
            var answers = await Task.WhenAll(picks.Select(async i => kind switch
            {
                "dealers" => (await grains.GetGrain<IDealerGrain>(Keys.Of(tenant, Id(kind, i))).GetAsync())?.Region,
                "stores" => (await grains.GetGrain<IStoreGrain>(Keys.Of(tenant, Id(kind, i))).GetAsync())?.Region,
                _ => (await grains.GetGrain<IRepGrain>(Keys.Of(tenant, Id(kind, i))).GetAsync())?.Region,
            }));
            sampled += picks.Length;
            wrong += picks.Where((i, n) => answers[n] != Region(i)).Count();
        }
        return (sampled, wrong);
    }
}
