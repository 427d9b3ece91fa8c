using System.Collections.Concurrent;

namespace ChannelGrains.Bench;

/// <summary>Counts the grain calls a silo receives, by interface and method (<c>ceiling --calls</c>).</summary>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, long> calls = new(StringComparer.Ordinal);
    private volatile bool counting;

    public void Start() => counting = true;

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (counting) calls.AddOrUpdate($"{context.InterfaceName}.{context.MethodName}", 1, static (_, n) => n + 1);
        return context.Invoke();
    }

    public void Print(TextWriter output, double mutations)
    {
        counting = false;
        var rows = calls.OrderByDescending(r => r.Value).ToArray();
        output.WriteLine($"  grain calls per mutation (reads included): {rows.Sum(r => r.Value) / Math.Max(1, mutations):F2}");
        foreach (var (method, count) in rows) output.WriteLine($"  {count / Math.Max(1, mutations),8:F3}  {method}");
    }
}
