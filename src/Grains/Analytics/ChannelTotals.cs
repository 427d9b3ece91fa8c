using ChannelGrains.Partners;

namespace ChannelGrains.Analytics;

/// <summary>Summed contributions: the figures, their breakdown by dealer tier and by SKU, and how many source-months they hold.</summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.Analytics.ChannelTotals")]
public sealed record class ChannelTotals
{
    public static readonly ChannelTotals Empty = new();

    [Id(0)] public ChannelFigures Figures { get; init; } = ChannelFigures.Zero;

    /// <summary>Keyed by <see cref="DealerTier"/> name; sources without a tier are in <see cref="Figures"/> only.</summary>
    [Id(1)] public Dictionary<string, ChannelFigures> ByTier { get; init; } = new(StringComparer.Ordinal);

    // Id 2 held the SKUs as a dictionary before: silos of that version and of this one do not read each other's breakdowns.
    [Id(4)] public SkuBreakdown BySku { get; init; } = SkuBreakdown.Empty;

    /// <summary>Source-months summed; a month "has data" for a region when this is positive.</summary>
    [Id(3)] public int Sources { get; init; }

    /// <summary>The key of one SKU's sell-out in one ISO week (a SKU id never holds a '/'), as <see cref="Rollup.WeeklyOf"/> sums it.</summary>
    public static string WeekKey(string week, string sku) => $"{week}/{sku}";
}

/// <summary>
/// What one aggregate input holds: a shard's sum of its sources in one region, a child region's total, or a month's
/// total for its quarter and year. Receivers keep the part with the highest version per input.
/// </summary>
/// <param name="Children">The direct child regions that hold data below the region this part is about.</param>
[GenerateSerializer, Immutable, Alias("ChannelGrains.Analytics.AggregatePart")]
public sealed record class AggregatePart(
    [property: Id(0)] long Version,
    [property: Id(1)] DateTime UpdatedAt,
    [property: Id(2)] ChannelTotals Totals,
    [property: Id(3)] IReadOnlyList<string> Children)
{
    public static readonly AggregatePart None = new(0, DateTime.UnixEpoch, ChannelTotals.Empty, []);
}

/// <summary>The ChannelSummary of one region and period, as served and as published on its change stream.</summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.Analytics.ChannelSummaryView")]
public sealed record class ChannelSummaryView(
    [property: Id(0)] string Region,
    [property: Id(1)] string Period,
    [property: Id(2)] ChannelFigures Figures,
    [property: Id(3)] DateTime UpdatedAt,
    [property: Id(4)] long Version) : IVersioned
{
    string IVersioned.Source => $"{Region}|{Period}";
}

[GenerateSerializer, Immutable, Alias("ChannelGrains.Analytics.ChannelBreakdownView")]
public sealed record class ChannelBreakdownView(
    [property: Id(0)] string Region,
    [property: Id(1)] string Period,
    [property: Id(2)] ChannelTotals Totals,
    [property: Id(3)] IReadOnlyList<string> Children,
    [property: Id(4)] DateTime UpdatedAt,
    [property: Id(5)] long Version);

/// <summary>One dealer's sell-out in one month, as a source shard reports it for top-dealer lists.</summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.Analytics.DealerSellOut")]
public sealed record class DealerSellOut(
    [property: Id(0)] string DealerId,
    [property: Id(1)] string Region,
    [property: Id(2)] string Month,
    [property: Id(3)] decimal SellOutValue);
