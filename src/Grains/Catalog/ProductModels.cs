namespace ChannelGrains.Catalog;

[GenerateSerializer, Immutable, Alias("ChannelGrains.ProductInfo")]
public sealed record class ProductInfo(
    [property: Id(0)] string Sku,
    [property: Id(1)] string Name,
    [property: Id(2)] decimal ListPrice,
    [property: Id(3)] decimal FloorPrice);

[GenerateSerializer, Immutable, Alias("ChannelGrains.ProductView")]
public sealed record class ProductView(
    [property: Id(0)] string Sku,
    [property: Id(1)] string Name,
    [property: Id(2)] decimal ListPrice,
    [property: Id(3)] decimal FloorPrice,
    [property: Id(4)] int OnHand,
    [property: Id(5)] int Reserved)
{
    public int Available => OnHand - Reserved;
}

/// <summary>Stock held for one order; <see cref="Settled"/> once the order was seen to stand, so audits skip it.</summary>
[GenerateSerializer, Alias("ChannelGrains.Reservation")]
public readonly record struct Reservation([property: Id(0)] int Quantity, [property: Id(1)] DateTime At, [property: Id(2)] bool Settled);

[GenerateSerializer, Alias("ChannelGrains.ProductState")]
public sealed class ProductState
{
    [Id(0)] public ProductInfo? Info { get; set; }
    [Id(1)] public int OnHand { get; set; }

    /// <summary>Reservations by order id: the reservation point of rule 1, and idempotent per order.</summary>
    [Id(2)] public Dictionary<string, Reservation> Reservations { get; set; } = new(StringComparer.Ordinal);

    [System.Text.Json.Serialization.JsonIgnore]
    public int Reserved => Reservations.Values.Sum(r => r.Quantity);

    /// <summary>
    /// The latest stock adjustments asked with a requestId, oldest first, at most <see cref="ProductRules.AdjustmentsKept"/>:
    /// one asked again is applied once (rule 7).
    /// </summary>
    [Id(3)] public List<StockAdjustment> Adjustments { get; set; } = [];
}

/// <summary>A stock adjustment applied, as its requestId asked for it.</summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.StockAdjustment")]
public sealed record class StockAdjustment([property: Id(0)] string RequestId, [property: Id(1)] int Delta, [property: Id(2)] string Reason);

public static class ProductRules
{
    /// <summary>
    /// How many adjustments a product remembers by requestId. Adjustments are rare (goods received, counts, write-offs),
    /// so a retry comes long before this many others; one asked again after them would be applied again.
    /// </summary>
    public const int AdjustmentsKept = 256;

    public static ProductInfo Validated(ProductInfo input)
    {
        Validate.Id(input.Sku, "sku");
        var name = Validate.Name(input.Name, "name");
        Validate.Money(input.ListPrice, "listPrice");
        Validate.Money(input.FloorPrice, "floorPrice");
        if (input.FloorPrice > input.ListPrice)
            throw ChannelException.Validation($"floorPrice {input.FloorPrice} must not be above listPrice {input.ListPrice}.");
        return input with { Name = name };
    }

    /// <summary>Goods received (positive) or written off (negative); on-hand never drops below what orders hold.</summary>
    public static int AdjustedOnHand(int onHand, int reserved, int delta, string reason)
    {
        if (delta == 0) throw ChannelException.Validation("delta must not be zero.");
        Validate.Reason(reason, "reason");
        var next = (long)onHand + delta;
        if (next > int.MaxValue) throw ChannelException.Validation("delta would overflow on-hand stock.");
        if (next < reserved)
            throw new ChannelException(ErrorCodes.InsufficientStock,
                $"Adjusting by {delta} would leave {next} on hand, below the {reserved} reserved by orders.");
        return (int)next;
    }
}
