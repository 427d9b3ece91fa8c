using System.Text.Json.Serialization;

namespace ChannelGrains.Partners;

public enum DealerTier { Strategic, Value, Potential }

public enum DealerStatus { Pending, Admitted, Suspended, Terminated }

[GenerateSerializer, Immutable, Alias("ChannelGrains.DealerInfo")]
public sealed record class DealerInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Region,
    [property: Id(3)] DealerTier Tier,
    [property: Id(4)] DealerStatus Status,
    [property: Id(5)] decimal CreditLimit,
    [property: Id(6)] IReadOnlyList<string>? AuthorizedSkus);

[GenerateSerializer, Immutable, Alias("ChannelGrains.StockLevel")]
public sealed record class StockLevel([property: Id(0)] string Sku, [property: Id(1)] int OnHand, [property: Id(2)] int InTransit) : IPackable<StockLevel>
{
    public void PackInto(ref PackedWriter writer)
    {
        writer.String(Sku);
        writer.VarInt(OnHand);
        writer.VarInt(InTransit);
    }

    public static StockLevel Unpack(ref PackedReader reader) => new(reader.String(), reader.Int32(), reader.Int32());

    /// <summary>A dealer's stock is held by SKU.</summary>
    public static bool KeyedByItself => true;

    public static string OwnKey(StockLevel item) => item.Sku;
}

[GenerateSerializer, Immutable, Alias("ChannelGrains.DealerView")]
public sealed record class DealerView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Region,
    [property: Id(3)] DealerTier Tier,
    [property: Id(4)] DealerStatus Status,
    [property: Id(5)] decimal CreditLimit,
    [property: Id(6)] decimal CreditUsed,
    [property: Id(7)] IReadOnlyList<string> AuthorizedSkus,
    [property: Id(8)] IReadOnlyList<StockLevel> Inventory,
    [property: Id(9)] long Version) : IVersioned
{
    string IVersioned.Source => Id;
}

/// <remarks>
/// Collections most dealers never use (shipments in transit, quotas, sell-out reports, 串货 alerts, special prices) stay
/// null until the first entry: with a million dealers in a silo, five empty collections each are 0.2 GB.
/// </remarks>
[GenerateSerializer, Alias("ChannelGrains.DealerState")]
public sealed class DealerState
{
    [Id(0)] public DealerInfo? Info { get; set; }
    [Id(1)] public PackedDictionary<OpenOrder> OpenOrders { get; set; } = [];
    [Id(2)] public PackedDictionary<StockLevel> Inventory { get; set; } = [];
    [Id(3)] public long Version { get; set; }

    /// <summary>
    /// The orders of this dealer placed since its last sealed page, in the order placed: at most
    /// <see cref="DealerOrderPages.PageSize"/>, since a new order seals a full page first (a state from before pages
    /// existed may hold more until its next order).
    /// </summary>
    [Id(4)] public PackedList<OrderRef> Orders { get; set; } = [];

    /// <summary>Pages of <see cref="DealerOrderPages.PageSize"/> older orders, each in its own grain: page N holds orders N × size onwards.</summary>
    [Id(13)] public int SealedOrderPages { get; set; }

    /// <summary>
    /// Orders whose hold the audit released (a saga that died after listing the order here), newest last, at most
    /// <see cref="DealerOrderPages.PageSize"/>: a client's retry of one is placed again, and finds it listed already.
    /// </summary>
    [Id(14)] public List<string>? ReleasedListed { get; set; }

    /// <summary>Goods shipped and not yet received, by order.</summary>
    [Id(5)] public Dictionary<string, List<SkuQuantity>>? Shipments { get; set; }

    /// <summary>The dealer's figures by month (YYYY-MM): what it contributes to the live aggregates. Closed months move to its archive (<see cref="ArchivedMonths"/>).</summary>
    [Id(6)] public Dictionary<string, DealerMonth> Months { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The dealer's quota targets by month (YYYY-MM); an archived month's target is in its archive.</summary>
    [Id(7)] public Dictionary<string, decimal>? Quotas { get; set; }

    /// <summary>Closed months moved out of <see cref="Months"/> into the dealer's month archive (<see cref="DealerMonthArchive"/>).</summary>
    [Id(17)] public HashSet<string>? ArchivedMonths { get; set; }

    /// <summary>
    /// Months archived lately, whose re-publishing by the heal may still be owed: each activation publishes them again
    /// from the archive, until a write finds none of them due in the heal (<see cref="DealerMonthArchive"/>).
    /// </summary>
    [Id(18)] public HashSet<string>? RecentlyArchived { get; set; }

    /// <summary>Sell-out reports applied by earlier versions, whole; folded into <see cref="SellOutReceipts"/> on activation.</summary>
    [Id(9)] public Dictionary<string, SellOutReport>? SellOutReports { get; set; }

    /// <summary>串货 alerts raised by reports applied by earlier versions, archived with their receipts; newer ones are kept in their report's receipt.</summary>
    [Id(10)] public List<CrossRegionAlert>? Alerts { get; set; }

    /// <summary>Special prices by the approval that decides them.</summary>
    [Id(11)] public Dictionary<string, SpecialPrice>? SpecialPrices { get; set; }

    /// <summary>
    /// The digest of each sell-out report applied by earlier versions, by requestId: moved whole into the legacy
    /// archive with the next report (see <see cref="DealerReceipts"/>).
    /// </summary>
    [Id(12)] public Dictionary<string, ReportDigest>? SellOutReceipts { get; set; }

    /// <summary>The receipts of the latest sell-out reports applied (at most 256), by the month of their date (YYYY-MM), then requestId (<see cref="DealerReceipts"/>).</summary>
    [Id(15)] public Dictionary<string, PackedDictionary<SellOutReceipt>>? ReceiptsByMonth { get; set; }

    /// <summary>A Bloom filter of the requestIds in each archive of receipts, by its month (or <see cref="DealerReceipts.Legacy"/>).</summary>
    [Id(16)] public Dictionary<string, byte[]>? ReceiptFilters { get; set; }

    /// <summary>
    /// The month the last <see cref="DealerLedger.SnapshotCurrentMonth"/> left following the stock, and the SKUs whose
    /// stock moved since: the next snapshot of that month redoes only those. Not stored: a state just read is
    /// snapshotted whole.
    /// </summary>
    [NonSerialized] internal DealerMonth? SnapshotMonth;

    [NonSerialized] internal List<string>? StockMoved;

    /// <summary>Notes a SKU whose stock changed (see <see cref="SnapshotMonth"/>); every change of <see cref="Inventory"/> comes here.</summary>
    internal void MovedStock(string sku) => (StockMoved ??= new(4)).Add(sku);

    /// <summary>
    /// Brings what earlier versions stored to this version's shape (written with the next change): whole sell-out
    /// reports become their digests, and months' SKU and weekly figures become the records contributions carry.
    /// </summary>
    public void FoldEarlierVersions()
    {
        foreach (var month in Months.Values) month.FoldEarlierVersion();
        if (SellOutReports is null) return;
        SellOutReceipts ??= new(StringComparer.Ordinal);
        foreach (var (requestId, report) in SellOutReports) SellOutReceipts[requestId] = report.Digest();
        SellOutReports = null;
    }
}

/// <summary>One SKU of one dealer month as states kept it before the month held <see cref="Analytics.SkuFigures"/> (read, then moved).</summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.DealerSkuMonth")]
public sealed record class DealerSkuMonth(
    [property: Id(0)] int OrderUnits,
    [property: Id(1)] decimal OrderValue,
    [property: Id(2)] int SellOutUnits,
    [property: Id(3)] decimal SellOutValue,
    [property: Id(4)] int StockUnits);

/// <summary>
/// A dealer's month: confirmed sell-in (orders and their value, which quotas are achieved with), sell-out, 串货 alerts,
/// and its stock as last seen in the month (its end, once the month is over).
/// </summary>
/// <remarks>
/// The per-SKU and weekly figures are kept as the immutable records the month's contribution carries: publishing the
/// month (at every write of the dealer) shares them instead of building a record per SKU and per week again.
/// </remarks>
[GenerateSerializer, Alias("ChannelGrains.DealerMonth")]
public sealed class DealerMonth
{
    [Id(0)] public int OrderCount { get; set; }
    [Id(1)] public decimal OrderValue { get; set; }
    [Id(2)] public decimal SellOutValue { get; set; }
    [Id(3)] public int CrossRegionAlerts { get; set; }
    [Id(4)] public int StockUnits { get; set; }

    /// <summary>The month's figures per SKU, by SKU.</summary>
    [Id(9), JsonPropertyName("SkuFigures")] public PackedDictionary<Analytics.SkuFigures> Skus { get; set; } = [];

    /// <summary>Sell-out units per SKU and ISO week, keyed <see cref="Analytics.WeeklySellOut.KeyOf"/>: the input of demand planning.</summary>
    [Id(10)] public PackedDictionary<Analytics.WeeklySellOut> Weeks { get; set; } = [];

    /// <summary>The region and tier the month is booked in: the dealer's while the month is current, kept after.</summary>
    [Id(7)] public string Region { get; set; } = "";

    [Id(8)] public DealerTier Tier { get; set; }

    /// <summary>The figures per SKU as states written before <see cref="Skus"/> kept them (see <see cref="FoldEarlierVersion"/>).</summary>
    [Id(5), JsonPropertyName("Skus")] public Dictionary<string, DealerSkuMonth>? LegacySkus { get; set; }

    /// <summary>Weekly units keyed <c>sku|2026-W48</c> as states written before <see cref="Weeks"/> kept them (see <see cref="FoldEarlierVersion"/>).</summary>
    [Id(6), JsonPropertyName("WeeklySellOut")] public Dictionary<string, int>? LegacyWeeklySellOut { get; set; }

    /// <summary>
    /// <see cref="Skus"/>' values, checked (<see cref="Analytics.ContributionRules.ValidatedSkus"/>), as an array that
    /// stays the same until they change: the month is published at every write of its dealer, and most writes leave
    /// its weeks as they were, and a third of them its SKUs too. The array is shared (with the contributions and the
    /// shards holding them) and never changed.
    /// </summary>
    public IReadOnlyList<Analytics.SkuFigures> CheckedSkus() =>
        Snapshot(Skus, ref skuValues, null, static (values, _) => Analytics.ContributionRules.ValidatedSkus(values));

    /// <summary><see cref="Weeks"/>' values as <see cref="CheckedSkus"/> gives the SKUs', checked as weeks of <paramref name="month"/>.</summary>
    public IReadOnlyList<Analytics.WeeklySellOut> CheckedWeeks(string month) =>
        Snapshot(Weeks, ref weekValues, month, static (values, month) => Analytics.ContributionRules.ValidatedWeeks(values, Period.Parse(month).EnsureMonth()));

    /// <summary>The values last taken, with the dictionary, its version and the month they were checked for then (not stored).</summary>
    [NonSerialized] private (object? Of, int At, string? Month, Array? Values) skuValues, weekValues;

    private static T[] Snapshot<T>(PackedDictionary<T> dictionary, ref (object? Of, int At, string? Month, Array? Values) held, string? month,
        Action<T[], string> check) where T : IPackable<T>
    {
        var at = dictionary.Kept.At;
        if (held.Values is T[] values && ReferenceEquals(held.Of, dictionary) && held.At == at && held.Month == month) return values;
        values = dictionary.Count == 0 ? [] : [.. dictionary.Values];
        check(values, month!);
        held = (dictionary, at, month, values);
        return values;
    }

    /// <summary>Moves the figures an earlier version stored into <see cref="Skus"/> and <see cref="Weeks"/>.</summary>
    public void FoldEarlierVersion()
    {
        foreach (var (sku, figures) in LegacySkus ?? [])
            Skus[sku] = new Analytics.SkuFigures(sku, figures.OrderUnits, figures.OrderValue, figures.SellOutUnits, figures.SellOutValue, figures.StockUnits);
        foreach (var (key, units) in LegacyWeeklySellOut ?? [])
        {
            var bar = key.LastIndexOf('|'); // a SKU may hold '|', a week never does
            Weeks[key] = new Analytics.WeeklySellOut(key[..bar], key[(bar + 1)..], units);
        }
        (LegacySkus, LegacyWeeklySellOut) = (null, null);
    }
}

public static class DealerRules
{
    public const int MaxAuthorizedSkus = 10_000;

    public static DealerInfo Validated(DealerInfo input)
    {
        Validate.Id(input.Id, "id");
        var name = Validate.Name(input.Name, "name");
        Validate.Region(input.Region);
        Validate.Money(input.CreditLimit, "creditLimit");
        if (!Enum.IsDefined(input.Tier)) throw ChannelException.Validation($"tier {input.Tier} is not a dealer tier.");
        if (!Enum.IsDefined(input.Status)) throw ChannelException.Validation($"status {input.Status} is not a dealer status.");
        var skus = input.AuthorizedSkus ?? [];
        if (skus.Count > MaxAuthorizedSkus) throw ChannelException.Validation($"authorizedSkus holds at most {MaxAuthorizedSkus} SKUs.");
        foreach (var sku in skus) Validate.Id(sku, "authorizedSkus");
        return input with { Name = name, AuthorizedSkus = skus.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray() };
    }

    /// <summary>Admission: PENDING → ADMITTED → SUSPENDED ⇄ ADMITTED, and TERMINATED (final) from any other status.</summary>
    public static bool CanMove(DealerStatus from, DealerStatus to) => from == to || (from, to) switch
    {
        (DealerStatus.Pending, DealerStatus.Admitted) => true,
        (DealerStatus.Admitted, DealerStatus.Suspended) => true,
        (DealerStatus.Suspended, DealerStatus.Admitted) => true,
        (DealerStatus.Pending or DealerStatus.Admitted or DealerStatus.Suspended, DealerStatus.Terminated) => true,
        _ => false,
    };
}
