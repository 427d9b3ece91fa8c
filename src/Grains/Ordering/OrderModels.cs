namespace ChannelGrains.Ordering;

public enum OrderStatus { PendingApproval, Confirmed, Shipped, Received, Cancelled, Rejected }

/// <summary>Where the placing saga stands; only <see cref="Done"/> orders have a contract status.</summary>
public enum SagaPhase
{
    /// <summary>Credit and stock are being reserved; never persisted, so a crash here leaves no order behind.</summary>
    Reserving,

    /// <summary>Refused; a retry with the same requestId gets the same refusal.</summary>
    Refused,

    Done,
}

[GenerateSerializer, Immutable, Alias("ChannelGrains.OrderLineInput")]
public sealed record class OrderLineInput(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] decimal? UnitPrice,
    [property: Id(3)] string? PromotionId);

[GenerateSerializer, Immutable, Alias("ChannelGrains.PlaceOrder")]
public sealed record class PlaceOrder(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string DealerId,
    [property: Id(2)] IReadOnlyList<OrderLineInput> Lines)
{
    /// <summary>Whether a retry asks for the same order as the first request.</summary>
    public bool SameAs(PlaceOrder other) => RequestId == other.RequestId && DealerId == other.DealerId && Lines.SequenceEqual(other.Lines);
}

[GenerateSerializer, Immutable, Alias("ChannelGrains.OrderLine")]
public sealed record class OrderLine(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] decimal UnitPrice,
    [property: Id(3)] string? PromotionId)
{
    public decimal Amount => Quantity * UnitPrice;
}

[GenerateSerializer, Immutable, Alias("ChannelGrains.OrderView")]
public sealed record class OrderView(
    [property: Id(0)] string Id,
    [property: Id(1)] string DealerId,
    [property: Id(2)] OrderStatus Status,
    [property: Id(3)] IReadOnlyList<OrderLine> Lines,
    [property: Id(4)] decimal Total,
    [property: Id(5)] DateTime PlacedAt,
    [property: Id(6)] long Version) : IVersioned
{
    string IVersioned.Source => Id;

    bool IVersioned.IsFinal => OrderRules.IsFinal(Status);
}

[GenerateSerializer, Alias("ChannelGrains.OrderState")]
public sealed class OrderState
{
    [Id(0)] public PlaceOrder? Request { get; set; }
    [Id(1)] public SagaPhase Phase { get; set; }
    [Id(2)] public OrderStatus Status { get; set; }
    [Id(3)] public List<OrderLine> Lines { get; set; } = [];
    [Id(4)] public DateTime PlacedAt { get; set; }
    [Id(5)] public string? RefusalCode { get; set; }
    [Id(6)] public string? RefusalMessage { get; set; }
    [Id(7)] public long Version { get; set; }

    /// <summary>Whether its approval's outcome moved the order (to CONFIRMED or REJECTED), so the approval stands if it is cancelled later.</summary>
    [Id(8)] public bool DecidedByApproval { get; set; }
}
