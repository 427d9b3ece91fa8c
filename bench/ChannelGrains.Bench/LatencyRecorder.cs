using System.Diagnostics;

namespace ChannelGrains.Bench;

/// <summary>Collects per-operation latencies and reports throughput and percentiles.</summary>
public sealed class LatencyRecorder
{
    private readonly List<double> samples = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private int failures;

    public async Task TimeAsync(Func<Task> operation)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await operation();
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            lock (samples) samples.Add(ms);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref failures);
        }
    }

    public string Report(string name)
    {
        var elapsed = clock.Elapsed.TotalSeconds;
        double[] sorted;
        lock (samples) sorted = [.. samples.Order()];
        double P(double q) => Samples.Percentile(sorted, q);
        return $"{name}: {sorted.Length:N0} ok, {failures:N0} failed in {elapsed:F1} s = {sorted.Length / elapsed:N0}/s; "
            + $"latency p50 {P(0.50):F2} ms, p95 {P(0.95):F2} ms, p99 {P(0.99):F2} ms";
    }
}
