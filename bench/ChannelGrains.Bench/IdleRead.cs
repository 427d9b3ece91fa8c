using System.Diagnostics;

namespace ChannelGrains.Bench;

/// <summary>
/// The national dashboard read with nothing else running, as the SQL dashboards are measured: sequential
/// <c>channelSummary(CN, this month)</c> reads after the server settled, before the mixed load starts. The reads
/// before the measured ones run for a set time, not a set count: the JIT moves a method to its optimised tier only
/// after it has been called for a while, and 50 reads (50 ms) left part of the read path unoptimised, which added
/// 0.3 ms to the p50 (0.87 → 0.55 ms in a first and a later pass of 2,000 reads against one Api).
/// </summary>
public static class IdleRead
{
    /// <summary><c>--read-warmup-ms N</c>: milliseconds of reads before the measured ones (3,000; 500 with <c>--quick</c>).</summary>
    public static TimeSpan WarmUp(BenchOptions options) => TimeSpan.FromMilliseconds(options.Int("read-warmup-ms", options.Quick ? 500 : 3000));

    public static async Task MeasureAsync(IMixExecutor executor, Mix mix, BenchResults results, string bench, TimeSpan warmUp, int reads = 500)
    {
        var warming = Stopwatch.StartNew();
        while (warming.Elapsed < warmUp) await executor.ChannelSummaryAsync("CN", mix.Data.Month);
        var samples = new Samples();
        for (var i = 0; i < reads; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await executor.ChannelSummaryAsync("CN", mix.Data.Month);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        Console.WriteLine($"  national summary read with no other load, {reads} sequential reads: {samples.Summary()}");
        results.Add(bench, "idle summary CN p50", samples.Percentile(0.50), "ms");
        results.Add(bench, "idle summary CN p99", samples.Percentile(0.99), "ms");
    }
}
