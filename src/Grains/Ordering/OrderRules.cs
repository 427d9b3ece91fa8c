using ChannelGrains.Catalog;

namespace ChannelGrains.Ordering;

public static class OrderRules
{
    public const int MaxLines = 200;
    public const int MaxQuantity = 1_000_000;

    public static PlaceOrder Validated(PlaceOrder order)
    {
        Validate.Id(order.RequestId, "requestId");
        Validate.Id(order.DealerId, "dealerId");
        if (order.Lines is null || order.Lines.Count == 0) throw ChannelException.Validation("An order needs at least one line.");
        if (order.Lines.Count > MaxLines) throw ChannelException.Validation($"An order holds at most {MaxLines} lines.");
        foreach (var line in order.Lines)
        {
            Validate.Id(line.Sku, "lines.sku");
            if (line.Quantity is <= 0 or > MaxQuantity) throw ChannelException.Validation($"lines.quantity of {line.Sku} must be within 1..{MaxQuantity}.");
            if (line.UnitPrice is { } price) Validate.Money(price, "lines.unitPrice");
            // Rule 15 checks a promotion's eligibility when an order uses it. No promotion exists yet (promotions are not
            // served): an order naming one would keep a promotion nobody checked, so it is refused.
            if (line.PromotionId is not null) throw ChannelException.NotFound($"Promotion {Validate.Id(line.PromotionId, "lines.promotionId")}");
        }
        if (order.Lines.Select(l => l.Sku).Distinct(StringComparer.Ordinal).Count() != order.Lines.Count)
            throw ChannelException.Validation("Each SKU appears once per order; add up the quantities.");
        return order;
    }

    /// <summary>
    /// Rule 4: a line is priced at the list price unless it names a price; a price under the SKU's floor needs an
    /// approved special price for this dealer, SKU and date, and no lower than it.
    /// </summary>
    public static OrderLine Priced(OrderLineInput line, ProductPrice product, decimal? specialPrice)
    {
        var price = line.UnitPrice ?? product.ListPrice;
        if (price < product.FloorPrice && (specialPrice is not { } approved || price < approved))
            throw new ChannelException(ErrorCodes.PriceBelowFloor,
                $"{line.Sku} at {price} is below its floor price {product.FloorPrice} and no approved special price covers it.");
        return new OrderLine(line.Sku, line.Quantity, price, line.PromotionId);
    }

    /// <summary>Orders above the tenant's approval value, or priced by a special price, wait in PENDING_APPROVAL.</summary>
    public static bool NeedsApproval(Approvals.TenantSettings settings, IReadOnlyList<OrderLine> lines, bool specialPrices) =>
        specialPrices || (settings.OrderApprovalAbove is { } above && lines.Sum(l => l.Amount) > above);

    /// <summary>A status no order leaves: derived from <see cref="CanMove"/>, the one table of transitions.</summary>
    public static bool IsFinal(OrderStatus status) => FinalStatuses.Contains(status);

    private static readonly IReadOnlySet<OrderStatus> FinalStatuses =
        Enum.GetValues<OrderStatus>().Where(from => Enum.GetValues<OrderStatus>().All(to => !CanMove(from, to))).ToHashSet();

    /// <summary>CONFIRMED → SHIPPED → RECEIVED, and CANCELLED from anything not yet shipped.</summary>
    public static bool CanMove(OrderStatus from, OrderStatus to) => (from, to) switch
    {
        (OrderStatus.PendingApproval, OrderStatus.Confirmed or OrderStatus.Rejected or OrderStatus.Cancelled) => true,
        (OrderStatus.Confirmed, OrderStatus.Shipped or OrderStatus.Cancelled) => true,
        (OrderStatus.Shipped, OrderStatus.Received) => true,
        _ => false,
    };

    public static ChannelException InvalidTransition(string orderId, OrderStatus from, OrderStatus to) =>
        new(ErrorCodes.InvalidTransition, $"Order {orderId} is {ChannelException.ApiName(from)} and cannot become {ChannelException.ApiName(to)}.");
}
