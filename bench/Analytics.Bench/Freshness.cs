using System.Collections.Concurrent;
using System.Diagnostics;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using Orleans.Streams;
using Orleans.TestingHost;

namespace ChannelGrains.Analytics.Bench;

/// <summary>
/// Pipeline freshness under a sustained load: a probe source publishes a new sell-out every 100 ms into its own region
/// tree while the load publishes elsewhere at the given rate; a client subscribed to the probe tree's root summary
/// stream records how long each probe value took to show. This is contribution → summary stream at an Orleans client;
/// the Api adds GraphQL execution and its 250 ms per-subscription coalescing on top.
/// </summary>
public static class Freshness
{
    /// <summary>The first probes activate the grains and JIT the code: they are not counted.</summary>
    private const int WarmUpProbes = 30;

    public static async Task RunAsync(TestCluster cluster, int eventsPerSecond, TimeSpan duration)
    {
        const string tenant = "fresh", month = "2026-11";
        var sent = new ConcurrentDictionary<int, long>();
        var latencies = new ConcurrentBag<double>();
        var shown = 0;
        var stream = cluster.Client.GetStreamProvider(StreamNames.Provider)
            .GetStream<ChannelSummaryView>(StreamId.Create(AnalyticsKeys.SummaryStream, AnalyticsKeys.Aggregate(tenant, Period.Parse(month), "XX")));
        // Summaries are published only while watched (ChangeInterest): watch it as the Api's ChangeHub would.
        await cluster.Client.GetGrain<IChangeInterestGrain>(AnalyticsKeys.SummaryStream)
            .WatchAsync("analytics-bench", [AnalyticsKeys.Aggregate(tenant, Period.Parse(month), "XX")]);
        var subscription = await stream.SubscribeAsync((summary, _) =>
        {
            var value = (int)summary.Figures.SellOutValue;
            var now = Stopwatch.GetTimestamp();
            for (var k = Interlocked.Exchange(ref shown, Math.Max(shown, value)) + 1; k <= value; k++)
                if (sent.TryRemove(k, out var at) && k > WarmUpProbes) latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
            return Task.CompletedTask;
        });

        using var stop = new CancellationTokenSource(duration);
        var load = Task.Run(async () =>
        {
            var random = new Random(1);
            var version = 0L;
            var batch = Math.Max(1, eventsPerSecond / 100);
            while (!stop.IsCancellationRequested)
            {
                var contributions = Enumerable.Range(0, batch).Select(_ =>
                {
                    var dealer = random.Next(5_000);
                    return new Contribution(tenant, Contribution.DealerSource($"D{dealer}"), ++version, BenchSourceGrain.Regions[dealer % BenchSourceGrain.Regions.Length],
                        DealerTier.Value, month, new ChannelFigures { SellOutValue = random.Next(1_000) }, []);
                }).ToArray();
                await ContributionPublisher.PublishAsync(cluster.Client, contributions);
                await Task.Delay(10);
            }
        });
        var probe = Task.Run(async () =>
        {
            for (var k = 1; !stop.IsCancellationRequested; k++)
            {
                sent[k] = Stopwatch.GetTimestamp();
                await ContributionPublisher.PublishAsync(cluster.Client,
                    [new Contribution(tenant, "dealer:probe", k, "XX/Probe", DealerTier.Value, month, new ChannelFigures { SellOutValue = k }, [])]);
                await Task.Delay(100);
            }
        });
        await Task.WhenAll(load, probe);
        await Task.Delay(1_000);
        await subscription.UnsubscribeAsync();

        var sorted = latencies.Order().ToArray();
        Console.WriteLine($"freshness at ~{eventsPerSecond:N0} contributions/s for {duration.TotalSeconds:F0} s: {sorted.Length} probe changes, " +
            $"p50 {Percentile(sorted, 0.50):F1} ms, p99 {Percentile(sorted, 0.99):F1} ms, max {sorted.LastOrDefault():F1} ms (contribution → summary stream at a client)");
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];
}
