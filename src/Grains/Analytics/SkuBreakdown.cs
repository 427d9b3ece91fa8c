using System.Collections;

namespace ChannelGrains.Analytics;

/// <summary>
/// A total's figures per SKU: immutable, and held in <see cref="ChunkCount"/> chunks chosen by a fixed hash of the SKU,
/// each sorted by SKU. A total that changes a few SKUs (<see cref="With"/>) copies their chunks and shares all the
/// others with the total it came from, so an aggregate's push costs the SKUs it changed, not the whole catalogue, and a
/// receiver in the same silo skips every chunk it already holds by reference (<see cref="Rollup.Accumulator.Replace"/>;
/// a push from another silo arrives deserialized, and its receiver compares every chunk). A dictionary
/// copied whole at every push made a thousand-SKU catalogue's breakdowns the largest garbage the aggregates left, most
/// of it surviving until the next push.
/// </summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.Analytics.SkuBreakdown")]
public sealed class SkuBreakdown : IReadOnlyCollection<SkuFigures>
{
    public const int ChunkCount = 32;

    public static readonly SkuBreakdown Empty = new(Enumerable.Repeat(Array.Empty<SkuFigures>(), ChunkCount).ToArray(), 0);

    /// <summary>Never written once this instance exists; instances share them.</summary>
    [Id(0)] private readonly SkuFigures[][] chunks;

    [Id(1)] private readonly int count;

    private SkuBreakdown(SkuFigures[][] chunks, int count)
    {
        this.chunks = chunks;
        this.count = count;
    }

    public int Count => count;

    public IEnumerable<string> Keys => this.Select(s => s.Sku);

    /// <summary>The figures of <paramref name="sku"/>; a <see cref="KeyNotFoundException"/> if it has none.</summary>
    public SkuFigures this[string sku] => GetValueOrDefault(sku) ?? throw new KeyNotFoundException($"No figures for SKU '{sku}'.");

    public SkuFigures? GetValueOrDefault(string sku)
    {
        var chunk = chunks[ChunkOf(sku)];
        var at = IndexIn(chunk, sku);
        return at >= 0 ? chunk[at] : null;
    }

    public bool ContainsKey(string sku) => GetValueOrDefault(sku) is not null;

    /// <summary>A breakdown of <paramref name="figures"/>, one per SKU (an <see cref="ArgumentException"/> for a SKU given twice).</summary>
    public static SkuBreakdown Of(IEnumerable<SkuFigures> figures)
    {
        var lists = new List<SkuFigures>?[ChunkCount];
        foreach (var f in figures) (lists[ChunkOf(f.Sku)] ??= []).Add(f);
        var chunks = new SkuFigures[ChunkCount][];
        var count = 0;
        for (var i = 0; i < ChunkCount; i++)
        {
            chunks[i] = lists[i] is { } list ? Sorted(list) : [];
            count += chunks[i].Length;
        }
        return count == 0 ? Empty : new(chunks, count);
    }

    /// <summary>
    /// This breakdown with <paramref name="changes"/> applied (a null figure removes the SKU): the chunks no change
    /// touches are this one's own arrays.
    /// </summary>
    public SkuBreakdown With(IEnumerable<(string Sku, SkuFigures? Figures)> changes)
    {
        var chunks = (SkuFigures[][])this.chunks.Clone();
        var copied = new bool[ChunkCount];
        var count = this.count;
        foreach (var (sku, figures) in changes)
        {
            if (figures is not null && figures.Sku != sku) throw new ArgumentException($"Figures of SKU '{figures.Sku}' given for '{sku}'.", nameof(changes));
            var c = ChunkOf(sku);
            var chunk = chunks[c];
            var at = IndexIn(chunk, sku);
            if (figures is not null && at >= 0)
            {
                if (!copied[c]) chunks[c] = chunk = (SkuFigures[])chunk.Clone();
                copied[c] = true;
                chunk[at] = figures;
            }
            else if (figures is not null)
            {
                chunks[c] = [.. chunk.AsSpan(0, ~at), figures, .. chunk.AsSpan(~at)];
                copied[c] = true;
                count++;
            }
            else if (at >= 0)
            {
                chunks[c] = [.. chunk.AsSpan(0, at), .. chunk.AsSpan(at + 1)];
                copied[c] = true;
                count--;
            }
        }
        return count == 0 ? Empty : new(chunks, count);
    }

    /// <summary>Equal figures for the same SKUs; chunks held by both are not compared again.</summary>
    public bool SameAs(SkuBreakdown other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (count != other.count) return false;
        for (var i = 0; i < ChunkCount; i++)
            if (!ReferenceEquals(chunks[i], other.chunks[i]) && !chunks[i].AsSpan().SequenceEqual(other.chunks[i]))
                return false;
        return true;
    }

    /// <summary>The chunk <paramref name="index"/>, sorted by SKU: for receivers that compare two breakdowns chunk by chunk.</summary>
    public ReadOnlySpan<SkuFigures> Chunk(int index) => chunks[index];

    /// <summary>Whether both hold the very same chunk <paramref name="index"/> (so the same figures in it).</summary>
    public bool SharesChunk(SkuBreakdown other, int index) => ReferenceEquals(chunks[index], other.chunks[index]);

    public IEnumerator<SkuFigures> GetEnumerator()
    {
        foreach (var chunk in chunks)
            foreach (var figures in chunk)
                yield return figures;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>FNV-1a over the SKU's characters: the same chunk in every process, unlike <see cref="string.GetHashCode()"/>.</summary>
    internal static int ChunkOf(string sku)
    {
        var hash = 2166136261u;
        foreach (var ch in sku) hash = (hash ^ ch) * 16777619u;
        return (int)(hash % ChunkCount);
    }

    /// <summary>The index of <paramref name="sku"/> in a sorted chunk, or the complement of where it would go.</summary>
    private static int IndexIn(SkuFigures[] chunk, string sku)
    {
        int low = 0, high = chunk.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var order = string.CompareOrdinal(chunk[middle].Sku, sku);
            if (order == 0) return middle;
            if (order < 0) low = middle + 1;
            else high = middle - 1;
        }
        return ~low;
    }

    private static SkuFigures[] Sorted(List<SkuFigures> list)
    {
        list.Sort(static (a, b) => string.CompareOrdinal(a.Sku, b.Sku));
        for (var i = 1; i < list.Count; i++)
            if (list[i].Sku == list[i - 1].Sku) throw new ArgumentException($"SKU '{list[i].Sku}' is given twice.", nameof(list));
        return [.. list];
    }
}
