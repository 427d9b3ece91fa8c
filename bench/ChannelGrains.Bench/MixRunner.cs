using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Orleans.Runtime;

namespace ChannelGrains.Bench;

/// <summary>How a mix runs: a fixed number of workers for a set time, each starting its next operation when the last one
/// ended (closed loop), or — with <see cref="MutationRate"/> — operations started on a fixed schedule (open loop), whose
/// latency then counts from the scheduled start, so that a server falling behind shows as latency, not as a lower rate.</summary>
public sealed record MixSettings(int Workers, TimeSpan Duration, int MutationRate = 0);

/// <summary>Called after each acknowledged operation with the order it placed (placeOrder only) and the Stopwatch timestamp of the acknowledgement.</summary>
public delegate void AckObserver(MixOp op, PlacedOrder? placed, long acknowledgedAt);

public static class MixRunner
{
    /// <summary>
    /// <c>--warmup N</c>: seconds of the mix before a measured closed loop, not measured (30; 1 with <c>--quick</c>). A
    /// server fresh from seeding still compiles its hot methods at their final tier for 30–45 s under load: closed
    /// loops of 20 s measured from the start gave 850–890 mutations/s where the same run 45 s later gave 1,220.
    /// </summary>
    public static async Task WarmUpAsync(Mix mix, IMixExecutor executor, BenchOptions options, int workers, AckObserver? observer = null)
    {
        var seconds = options.Int("warmup", options.Quick ? 1 : 30);
        if (seconds <= 0) return;
        Console.WriteLine($"  warm-up: {seconds} s of the mix at {workers} workers, not measured");
        await RunAsync(mix, executor, new MixSettings(workers, TimeSpan.FromSeconds(seconds)), observer);
    }

    public static async Task<MixReport> RunAsync(Mix mix, IMixExecutor executor, MixSettings settings, AckObserver? observer = null)
    {
        var perWorker = Enumerable.Range(0, settings.Workers).Select(_ => new OpSamples()).ToArray();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        ChannelReader<long>? schedule = settings.MutationRate > 0 ? Schedule(settings.MutationRate / Mix.MutationShare, started, deadline) : null;
        await Task.WhenAll(perWorker.Select((samples, worker) => Task.Run(async () =>
        {
            var random = new Random(worker * 7919 + 1);
            while (true)
            {
                long due;
                if (schedule is null)
                {
                    due = Stopwatch.GetTimestamp();
                    if (due >= deadline) break;
                }
                else if (!schedule.TryRead(out due))
                {
                    if (!await schedule.WaitToReadAsync()) break;
                    continue;
                }
                else if (Stopwatch.GetTimestamp() >= deadline)
                {
                    samples.NotStarted++;
                    continue;
                }
                var step = mix.Next(random);
                try
                {
                    var placed = await mix.ExecuteAsync(step, executor, random);
                    var done = Stopwatch.GetTimestamp();
                    samples.Ok(step.Op, Stopwatch.GetElapsedTime(due, done).TotalMilliseconds);
                    observer?.Invoke(step.Op, placed, done);
                }
                catch (MixFailure failure)
                {
                    samples.Failed(step.Op, failure.Code, failure.Message);
                }
                catch (Exception error) when (error is HttpRequestException or TaskCanceledException or IOException or OrleansException or TimeoutException)
                {
                    samples.Failed(step.Op, error.GetType().Name, error.Message);
                }
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return new MixReport(OpSamples.Merge(perWorker), elapsed, settings, cpu);
    }

    /// <summary>Start times at <paramref name="perSecond"/> from start to deadline, written as they come due.</summary>
    private static ChannelReader<long> Schedule(double perSecond, long start, long deadline)
    {
        var channel = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleWriter = true });
        _ = Task.Run(async () =>
        {
            var interval = Stopwatch.Frequency / perSecond;
            var issued = 0L;
            while (true)
            {
                var now = Stopwatch.GetTimestamp();
                if (now >= deadline) break;
                for (var due = start + (long)(issued * interval); due <= now; due = start + (long)(++issued * interval))
                    channel.Writer.TryWrite(due);
                await Task.Delay(1);
            }
            channel.Writer.Complete();
        });
        return channel.Reader;
    }
}

/// <summary>Latencies and failures by operation, kept per worker (no locks) and merged at the end.</summary>
public sealed class OpSamples
{
    private readonly List<double>[] latencies = Enum.GetValues<MixOp>().Select(_ => new List<double>()).ToArray();
    private readonly Dictionary<(MixOp, string), int> failures = [];
    private readonly Dictionary<string, string> examples = [];

    public IReadOnlyList<double> Latencies(MixOp op) => latencies[(int)op];

    /// <summary>Open loop: operations that came due but had not started when the time was up (the server fell behind).</summary>
    public int NotStarted { get; set; }

    public IReadOnlyDictionary<(MixOp Op, string Code), int> Failures => failures;

    /// <summary>One message per error code, to tell what went wrong.</summary>
    public IReadOnlyDictionary<string, string> Examples => examples;

    public void Ok(MixOp op, double milliseconds) => latencies[(int)op].Add(milliseconds);

    public void Failed(MixOp op, string code, string message)
    {
        failures[(op, code)] = failures.GetValueOrDefault((op, code)) + 1;
        examples.TryAdd(code, message.Length > 300 ? message[..300] : message);
    }

    public static OpSamples Merge(IEnumerable<OpSamples> parts)
    {
        var all = new OpSamples();
        foreach (var part in parts)
        {
            for (var i = 0; i < part.latencies.Length; i++) all.latencies[i].AddRange(part.latencies[i]);
            foreach (var (key, count) in part.failures) all.failures[key] = all.failures.GetValueOrDefault(key) + count;
            foreach (var (code, message) in part.examples) all.examples.TryAdd(code, message);
            all.NotStarted += part.NotStarted;
        }
        foreach (var list in all.latencies) list.Sort();
        return all;
    }
}

/// <summary>The table of one run: per operation count, throughput, p50/p95/p99 and errors by code; totals; CPU used.</summary>
public sealed record MixReport(OpSamples Samples, TimeSpan Elapsed, MixSettings Settings, TimeSpan DriverCpu)
{
    public double Seconds => Elapsed.TotalSeconds;

    public int Count(MixOp op) => Samples.Latencies(op).Count;

    public double MutationsPerSecond => Enum.GetValues<MixOp>().Where(Mix.IsMutation).Sum(Count) / Seconds;

    public double OpsPerSecond => Enum.GetValues<MixOp>().Sum(Count) / Seconds;

    public int Errors => Samples.Failures.Values.Sum();

    private static double Percentile(IReadOnlyList<double> sorted, double q) => Bench.Samples.Percentile(sorted, q);

    public void Print(TextWriter output)
    {
        output.WriteLine(Settings.MutationRate > 0
            ? $"  open loop at {Settings.MutationRate:N0} mutations/s ({Settings.MutationRate / Mix.MutationShare:N0} requests/s), up to {Settings.Workers} in flight; latency from the scheduled start"
            : $"  closed loop, {Settings.Workers} workers");
        output.WriteLine($"  {"operation",-16} {"count",9} {"per s",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8}  errors");
        foreach (var op in Enum.GetValues<MixOp>())
        {
            var sorted = Samples.Latencies(op);
            var errors = Samples.Failures.Where(f => f.Key.Op == op).Select(f => $"{f.Key.Code}×{f.Value}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {Name(op),-16} {sorted.Count,9:N0} {sorted.Count / Seconds,9:N0} {Percentile(sorted, 0.50),8:F2} {Percentile(sorted, 0.95),8:F2} {Percentile(sorted, 0.99),8:F2}  {string.Join(", ", errors)}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  total: {MutationsPerSecond:N0} mutations/s, {OpsPerSecond:N0} operations/s, {Errors:N0} errors in {Seconds:F1} s; driver process CPU {DriverCpu.TotalSeconds / Seconds:F2} cores"));
        if (Samples.NotStarted > 0) output.WriteLine($"  BEHIND: {Samples.NotStarted:N0} scheduled operations had not started when the time was up: the rate asked for was not reached");
        foreach (var (code, message) in Samples.Examples) output.WriteLine($"  e.g. {code}: {message}");
    }

    public void AddTo(BenchResults results, string bench)
    {
        foreach (var op in Enum.GetValues<MixOp>())
        {
            var sorted = Samples.Latencies(op);
            results.Add(bench, $"{Name(op)}/s", sorted.Count / Seconds, "/s");
            results.Add(bench, $"{Name(op)} p50", Percentile(sorted, 0.50), "ms");
            results.Add(bench, $"{Name(op)} p99", Percentile(sorted, 0.99), "ms");
        }
        results.Add(bench, "mutations/s", MutationsPerSecond, "/s");
        results.Add(bench, "operations/s", OpsPerSecond, "/s");
        results.Add(bench, "errors", Errors, "");
        if (Settings.MutationRate > 0) results.Add(bench, "not started (behind schedule)", Samples.NotStarted, "");
    }

    public static string Name(MixOp op) => op switch
    {
        MixOp.PlaceOrder => "placeOrder",
        MixOp.ShipOrder => "shipOrder",
        MixOp.ReceiveOrder => "receiveOrder",
        MixOp.ReportSellOut => "reportSellOut",
        MixOp.UpsertDealer => "upsertDealer",
        MixOp.SetQuota => "setQuota",
        MixOp.SummaryNational => "summary CN",
        MixOp.SummaryRegion => "summary region",
        MixOp.TopDealers => "topDealers",
        _ => op.ToString(),
    };
}
