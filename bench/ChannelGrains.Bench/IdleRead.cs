using System.Diagnostics;

namespace ChannelGrains.Bench;

/// <summary>
/// The national dashboard read with nothing else running, as the SQL dashboards are measured: sequential
/// <c>channelSummary(CN, this month)</c> reads after the server settled, before the mixed load starts.
/// </summary>
public static class IdleRead
{
    public static async Task MeasureAsync(IMixExecutor executor, Mix mix, BenchResults results, string bench, int reads = 500)
    {
        for (var i = 0; i < 50; i++) await executor.ChannelSummaryAsync("CN", mix.Data.Month); // warm-up
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
