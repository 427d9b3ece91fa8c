using ChannelGrains.Analytics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace ChannelGrains.Tests.Analytics;

public sealed class SkuBreakdownTests
{
    private static SkuFigures Sku(int i, int units = 1) => new($"SKU{i:0000}", units, units * 10m, units, units * 12.5m, units * 2);

    private static readonly SkuBreakdown Catalogue = SkuBreakdown.Of(Enumerable.Range(0, 500).Select(i => Sku(i)));

    private static int ChunkHolding(SkuBreakdown breakdown, string sku) =>
        Enumerable.Range(0, SkuBreakdown.ChunkCount).Single(c => breakdown.Chunk(c).ToArray().Any(s => s.Sku == sku));

    [Fact]
    public void Holds_every_sku_once_and_finds_it()
    {
        Assert.Equal(500, Catalogue.Count);
        Assert.Equal(500, Catalogue.Select(s => s.Sku).Distinct().Count());
        Assert.Equal(Sku(123), Catalogue["SKU0123"]);
        Assert.Null(Catalogue.GetValueOrDefault("SKU9999"));
        Assert.Throws<KeyNotFoundException>(() => Catalogue["SKU9999"]);
        for (var c = 0; c < SkuBreakdown.ChunkCount; c++)
        {
            var skus = Catalogue.Chunk(c).ToArray().Select(s => s.Sku).ToArray();
            Assert.Equal(skus.Order(StringComparer.Ordinal), skus); // sorted: receivers walk two chunks side by side
        }
        Assert.Throws<ArgumentException>(() => SkuBreakdown.Of([Sku(1), Sku(2), Sku(1, 5)]));
    }

    [Fact]
    public void A_change_copies_only_the_chunks_of_the_skus_it_touches_and_leaves_the_original_as_it_was()
    {
        var changed = Catalogue.With([("SKU0007", Sku(7, 9)), ("SKU0400", null), ("SKU0900", Sku(900))]);

        Assert.Equal(500, changed.Count); // one taken out, one added
        Assert.Equal(Sku(7, 9), changed["SKU0007"]);
        Assert.False(changed.ContainsKey("SKU0400"));
        Assert.Equal(Sku(900), changed["SKU0900"]);
        Assert.Equal(Sku(7), Catalogue["SKU0007"]);
        Assert.True(Catalogue.ContainsKey("SKU0400"));
        Assert.False(Catalogue.ContainsKey("SKU0900"));
        var touched = new[] { "SKU0007", "SKU0400", "SKU0900" }.Select(ChunkOf).ToHashSet();
        for (var c = 0; c < SkuBreakdown.ChunkCount; c++)
            Assert.Equal(!touched.Contains(c), changed.SharesChunk(Catalogue, c));
        Assert.False(changed.SameAs(Catalogue));
        Assert.True(changed.With([("SKU0007", Sku(7)), ("SKU0400", Sku(400)), ("SKU0900", null)]).SameAs(Catalogue));
        Assert.Throws<ArgumentException>(() => Catalogue.With([("SKU0001", Sku(2))]));
    }

    private static int ChunkOf(string sku) => ChunkHolding(SkuBreakdown.Of([new SkuFigures(sku, 0, 0m, 0, 0m, 0)]), sku);

    [Fact]
    public void A_skus_chunk_is_the_same_in_every_process()
    {
        // Receivers compare chunks by position: the position may not depend on a per-process string hash (FNV-1a).
        Assert.Equal(13, ChunkHolding(SkuBreakdown.Of([Sku(1)]), "SKU0001"));
        Assert.Equal(13, ChunkHolding(Catalogue, "SKU0001"));
    }

    [Fact]
    public void Goes_over_the_wire_whole_and_is_passed_by_reference_within_a_silo()
    {
        using var services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(SkuBreakdown).Assembly)).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var totals = new ChannelTotals { BySku = Catalogue.With([("SKU0042", Sku(42, 3))]), Sources = 2 };

        var back = serializer.Deserialize<ChannelTotals>(serializer.SerializeToArray(totals))!;

        Assert.Equal(500, back.BySku.Count);
        Assert.True(back.BySku.SameAs(totals.BySku));
        Assert.Equal(Sku(42, 3), back.BySku["SKU0042"]);
        Assert.Same(totals.BySku, services.GetRequiredService<DeepCopier>().Copy(totals.BySku));
    }
}
