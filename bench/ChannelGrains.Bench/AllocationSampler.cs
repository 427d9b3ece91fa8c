using System.Diagnostics.Tracing;

namespace ChannelGrains.Bench;

/// <summary>
/// Which types a run allocates, from the runtime's own sampling: an allocation tick names the type of the object that
/// crossed each ~100 KB of allocation, so the count per type is proportional to the bytes allocated of it. Costs
/// little, but adds a listener thread: turned on with <c>--allocations</c> only, and never while throughput is compared.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> bytesByType = new(StringComparer.Ordinal);
    private volatile bool sampling;

    public void Start() => sampling = true;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!sampling || e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.PayloadNames is null) return;
        var typeName = e.Payload![e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        var amountAt = e.PayloadNames.IndexOf("AllocationAmount64");
        var amount = amountAt >= 0 ? Convert.ToInt64(e.Payload[amountAt], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        lock (bytesByType) bytesByType[typeName] = bytesByType.GetValueOrDefault(typeName) + amount;
    }

    /// <summary>The types that took the most sampled bytes, with their share and their bytes per mutation.</summary>
    public void Print(TextWriter output, double mutations, int top = 30)
    {
        sampling = false;
        KeyValuePair<string, long>[] rows;
        lock (bytesByType) rows = [.. bytesByType.OrderByDescending(r => r.Value)];
        var total = Math.Max(1, rows.Sum(r => r.Value));
        output.WriteLine($"  allocations by type (sampled every ~100 KB), top {Math.Min(top, rows.Length)} of {rows.Length}:");
        foreach (var (type, bytes) in rows.Take(top))
            output.WriteLine($"  {100.0 * bytes / total,6:F1} % {bytes / Math.Max(1, mutations),8:F0} B/mutation  {type}");
    }
}
