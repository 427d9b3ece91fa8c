using ChannelGrains.Partners;

namespace ChannelGrains.Analytics;

/// <summary>
/// The source contract of the live BI pipeline: one source's <b>current</b> totals for one month, not a delta.
/// A source (a dealer now; agents, reps and promotions later) publishes one after each change it has persisted,
/// and re-publishes it to heal (see <see cref="ContributionPublisher"/>). Aggregates keep, per source and month, the
/// contribution with the highest <see cref="Version"/> and sum those, so duplicates, reordering and re-publishing are
/// harmless and a lost contribution is healed by the next one.
/// </summary>
/// <param name="Tenant">The tenant of the source; nothing is ever summed across tenants.</param>
/// <param name="SourceId"><c>kind:id</c>, e.g. <c>dealer:D1</c>; unique within the tenant.</param>
/// <param name="Version">Increases whenever anything in any of the source's contributions changes (a source may use
/// its state version for every month it publishes). A contribution no newer than the one held for the same source
/// and month is ignored.</param>
/// <param name="Region">The region this month's figures count in. A newer contribution naming another region moves
/// the source's figures for this month there; to move past months too, re-publish them with the new region.</param>
/// <param name="Tier">The dealer tier for the tier breakdown; null for sources that are not dealers.</param>
/// <param name="Month"><c>YYYY-MM</c>.</param>
/// <param name="Figures">The month's totals; fields a source does not own stay zero.</param>
/// <param name="Skus">Per-SKU totals of the month, at most one entry per SKU.</param>
/// <param name="Weeks">Optional, for demand planning: the month's sell-out units per SKU and ISO week (days of the week in this month only).</param>
[GenerateSerializer, Immutable, Alias("ChannelGrains.Analytics.Contribution")]
public sealed record class Contribution(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string SourceId,
    [property: Id(2)] long Version,
    [property: Id(3)] string Region,
    [property: Id(4)] DealerTier? Tier,
    [property: Id(5)] string Month,
    [property: Id(6)] ChannelFigures Figures,
    [property: Id(7)] IReadOnlyList<SkuFigures> Skus,
    [property: Id(8)] IReadOnlyList<WeeklySellOut>? Weeks = null)
{
    public const string DealerKind = "dealer";

    /// <summary>The source id of a dealer: <c>dealer:D1</c>.</summary>
    public static string DealerSource(string dealerId) => $"{DealerKind}:{dealerId}";
}

/// <summary>
/// The figures of a ChannelSummary. All are flows over the month except <see cref="ChannelStockUnits"/>, a stock:
/// the units in the channel at the end of the month (now, for the current month).
/// </summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.Analytics.ChannelFigures")]
public sealed record class ChannelFigures
{
    public static readonly ChannelFigures Zero = new();

    [Id(0)] public long OrderCount { get; init; }
    [Id(1)] public decimal OrderValue { get; init; }
    [Id(2)] public decimal SellOutValue { get; init; }
    [Id(3)] public long ChannelStockUnits { get; init; }
    [Id(4)] public decimal QuotaTarget { get; init; }
    [Id(5)] public decimal QuotaAchieved { get; init; }
    [Id(6)] public long VisitsPlanned { get; init; }
    [Id(7)] public long VisitsCompleted { get; init; }
    [Id(8)] public long LeadsRegistered { get; init; }
    [Id(9)] public long LeadsConverted { get; init; }
    [Id(10)] public decimal PromotionCommitted { get; init; }
    [Id(11)] public decimal PromotionSpent { get; init; }
    [Id(12)] public long CrossRegionAlerts { get; init; }

    public ChannelFigures Plus(ChannelFigures other) => Replaced(Zero, other);

    /// <summary>These figures less <paramref name="other"/> (exact: every field is an integer or a decimal).</summary>
    public ChannelFigures Minus(ChannelFigures other) => Replaced(other, Zero);

    /// <summary>These figures with <paramref name="was"/> (added before) replaced by <paramref name="now"/>: one record, not two.</summary>
    public ChannelFigures Replaced(ChannelFigures was, ChannelFigures now) => new()
    {
        OrderCount = OrderCount - was.OrderCount + now.OrderCount,
        OrderValue = OrderValue - was.OrderValue + now.OrderValue,
        SellOutValue = SellOutValue - was.SellOutValue + now.SellOutValue,
        ChannelStockUnits = ChannelStockUnits - was.ChannelStockUnits + now.ChannelStockUnits,
        QuotaTarget = QuotaTarget - was.QuotaTarget + now.QuotaTarget,
        QuotaAchieved = QuotaAchieved - was.QuotaAchieved + now.QuotaAchieved,
        VisitsPlanned = VisitsPlanned - was.VisitsPlanned + now.VisitsPlanned,
        VisitsCompleted = VisitsCompleted - was.VisitsCompleted + now.VisitsCompleted,
        LeadsRegistered = LeadsRegistered - was.LeadsRegistered + now.LeadsRegistered,
        LeadsConverted = LeadsConverted - was.LeadsConverted + now.LeadsConverted,
        PromotionCommitted = PromotionCommitted - was.PromotionCommitted + now.PromotionCommitted,
        PromotionSpent = PromotionSpent - was.PromotionSpent + now.PromotionSpent,
        CrossRegionAlerts = CrossRegionAlerts - was.CrossRegionAlerts + now.CrossRegionAlerts,
    };
}

/// <summary>One SKU's month: order and sell-out flows, and <see cref="StockUnits"/> in the channel at the month's end.</summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.Analytics.SkuFigures")]
public sealed record class SkuFigures(
    [property: Id(0)] string Sku,
    [property: Id(1)] long OrderUnits,
    [property: Id(2)] decimal OrderValue,
    [property: Id(3)] long SellOutUnits,
    [property: Id(4)] decimal SellOutValue,
    [property: Id(5)] long StockUnits) : IPackable<SkuFigures>
{
    /// <summary>A SKU with no orders or sell-out yet, and this stock.</summary>
    public static SkuFigures Empty(string sku, long stockUnits = 0) => new(sku, 0, 0m, 0, 0m, stockUnits);

    public SkuFigures Plus(SkuFigures other) => new(Sku, OrderUnits + other.OrderUnits, OrderValue + other.OrderValue,
        SellOutUnits + other.SellOutUnits, SellOutValue + other.SellOutValue, StockUnits + other.StockUnits);

    public void PackInto(ref PackedWriter writer)
    {
        writer.String(Sku);
        writer.VarInt(OrderUnits);
        writer.Decimal(OrderValue);
        writer.VarInt(SellOutUnits);
        writer.Decimal(SellOutValue);
        writer.VarInt(StockUnits);
    }

    public static SkuFigures Unpack(ref PackedReader reader) =>
        new(reader.String(), reader.VarInt(), reader.Decimal(), reader.VarInt(), reader.Decimal(), reader.VarInt());

    /// <summary>A month's figures are held by SKU.</summary>
    public static bool KeyedByItself => true;

    public static string OwnKey(SkuFigures item) => item.Sku;
}

public static class ContributionRules
{
    public const int MaxSkus = 10_000;

    /// <summary>Each thread's sets for the duplicate checks: every publish of every source is validated, and validating allocates nothing.</summary>
    [ThreadStatic] private static HashSet<string>? SeenSkus;
    [ThreadStatic] private static HashSet<(string, string)>? SeenWeeks;

    /// <summary>
    /// The contribution if well-formed; an <see cref="ArgumentException"/> (a bug in the source) otherwise. With
    /// <paramref name="listsChecked"/>, its SKUs and weeks are lists that passed <see cref="ValidatedSkus"/> and
    /// <see cref="ValidatedWeeks"/> (for its month) already, and are not checked again.
    /// </summary>
    public static Contribution Validated(Contribution contribution, bool listsChecked = false)
    {
        try
        {
            Validate.Id(contribution.Tenant, "tenant");
            var colon = contribution.SourceId?.IndexOf(':') ?? -1;
            if (colon <= 0) throw ChannelException.Validation($"sourceId '{contribution.SourceId}' must be kind:id, e.g. dealer:D1.");
            Validate.Id(contribution.SourceId.AsSpan(0, colon), "sourceId kind");
            Validate.Id(contribution.SourceId.AsSpan(colon + 1), "sourceId id");
            Validate.Region(contribution.Region);
            var month = Period.Parse(contribution.Month).EnsureMonth();
            if (contribution.Version < 0) throw ChannelException.Validation("version must not be negative.");
            if (contribution.Figures is null || contribution.Skus is null) throw ChannelException.Validation("figures and skus are required.");
            if (listsChecked) return contribution;
            CheckSkus(contribution.Skus);
            CheckWeeks(contribution.Weeks, month);
            return contribution;
        }
        catch (ChannelException invalid)
        {
            throw Malformed(contribution.SourceId, invalid, nameof(contribution));
        }
    }

    /// <summary>A contribution's SKUs if well-formed (at most <see cref="MaxSkus"/>, each once); an <see cref="ArgumentException"/> otherwise.</summary>
    public static IReadOnlyList<SkuFigures> ValidatedSkus(IReadOnlyList<SkuFigures> skus)
    {
        try
        {
            CheckSkus(skus);
            return skus;
        }
        catch (ChannelException invalid)
        {
            throw Malformed(null, invalid, nameof(skus));
        }
    }

    /// <summary>A contribution's weeks if well-formed for <paramref name="month"/> (each SKU and week once, with a day in the month); an <see cref="ArgumentException"/> otherwise.</summary>
    public static IReadOnlyList<WeeklySellOut> ValidatedWeeks(IReadOnlyList<WeeklySellOut> weeks, Period month)
    {
        try
        {
            CheckWeeks(weeks, month);
            return weeks;
        }
        catch (ChannelException invalid)
        {
            throw Malformed(null, invalid, nameof(weeks));
        }
    }

    /// <summary>A contribution that breaks a rule is a bug in its source, not a caller's bad input.</summary>
    private static ArgumentException Malformed(string? source, ChannelException invalid, string parameter) =>
        new($"Malformed contribution{(source is null ? "" : $" from {source}")}: {invalid.Message}", parameter, invalid);

    private static void CheckSkus(IReadOnlyList<SkuFigures> skus)
    {
        if (skus.Count > MaxSkus) throw ChannelException.Validation($"a contribution holds at most {MaxSkus} SKUs.");
        var seen = SeenSkus ??= new(StringComparer.Ordinal);
        seen.Clear();
        foreach (var sku in skus)
            if (!seen.Add(Validate.Id(sku?.Sku, "sku"))) throw ChannelException.Validation($"sku '{sku!.Sku}' appears twice.");
    }

    private static void CheckWeeks(IReadOnlyList<WeeklySellOut>? weeks, Period month)
    {
        var seen = SeenWeeks ??= [];
        seen.Clear();
        string? overlapping = null; // the week last found in the month: a month's entries name a handful of weeks
        foreach (var week in weeks ?? [])
        {
            Validate.Id(week?.Sku, "weeks sku");
            if (overlapping is null || !string.Equals(week!.Week, overlapping, StringComparison.Ordinal)) // a null week is checked (and refused)
            {
                if (!IsoWeeks.Overlaps(week!.Week, month)) throw ChannelException.Validation($"week {week.Week} has no day in {month}.");
                overlapping = week.Week;
            }
            if (week.Units < 0) throw ChannelException.Validation("weekly units must not be negative.");
            if (!seen.Add((week.Sku, week.Week))) throw ChannelException.Validation($"week {week.Week} of {week.Sku} appears twice.");
        }
    }

    /// <summary>True when <paramref name="candidate"/> replaces <paramref name="held"/> (same source and month).</summary>
    public static bool Supersedes(Contribution candidate, Contribution? held) => held is null || candidate.Version > held.Version;
}
