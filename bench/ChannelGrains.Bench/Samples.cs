using System.Globalization;

namespace ChannelGrains.Bench;

/// <summary>Latencies in milliseconds, thread-safe to add, with nearest-rank percentiles.</summary>
public sealed class Samples
{
    private readonly List<double> values = [];

    public int Count
    {
        get { lock (values) return values.Count; }
    }

    public void Add(double milliseconds)
    {
        lock (values) values.Add(milliseconds);
    }

    public double Percentile(double q)
    {
        double[] sorted;
        lock (values) sorted = [.. values.Order()];
        return Percentile(sorted, q);
    }

    /// <summary>The nearest-rank percentile of values sorted ascending; NaN when there are none. Every benchmark reports this one.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {Percentile(0.50):F2} ms, p95 {Percentile(0.95):F2} ms, p99 {Percentile(0.99):F2} ms");
}
