using ChannelGrains.Api.Schema;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;
using GraphQL.Types;

namespace ChannelGrains.Api.Ordering;

public sealed class OrderStatusType : EnumerationGraphType<OrderStatus>
{
    public OrderStatusType() => Name = "OrderStatus";
}

public sealed class OrderLineType : ObjectGraphType<OrderLine>
{
    public OrderLineType()
    {
        Name = "OrderLine";
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Quantity);
        Field(x => x.UnitPrice);
        Field(x => x.PromotionId, type: typeof(IdGraphType));
    }
}

public sealed class OrderType : ObjectGraphType<OrderView>
{
    public OrderType()
    {
        Name = "Order";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.DealerId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Status, type: typeof(NonNullGraphType<OrderStatusType>));
        Field(x => x.Lines, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<OrderLineType>>>));
        Field(x => x.Total);
        Field(x => x.PlacedAt);
    }
}

public sealed class OrderLineInputType : InputObjectGraphType<OrderLineInput>
{
    public OrderLineInputType()
    {
        Name = "OrderLineInput";
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Quantity);
        Field(x => x.UnitPrice, nullable: true);
        Field(x => x.PromotionId, type: typeof(IdGraphType))
            .Description("A promotion the line uses, checked for eligibility (rule 15). Promotions are not served yet, so a line naming one is refused with NOT_FOUND.");
    }
}

public sealed class PlaceOrderInputType : InputObjectGraphType<PlaceOrder>
{
    public PlaceOrderInputType()
    {
        Name = "PlaceOrderInput";
        Field(x => x.RequestId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.DealerId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Lines, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<OrderLineInputType>>>));
    }
}

public sealed class SellOutLineInputType : InputObjectGraphType<SellOutLine>
{
    public SellOutLineInputType()
    {
        Name = "SellOutLineInput";
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Quantity);
        Field(x => x.Amount);
        Field(x => x.StoreId, type: typeof(IdGraphType));
    }
}

public sealed class SellOutInputType : InputObjectGraphType<SellOutReport>
{
    public SellOutInputType()
    {
        Name = "SellOutInput";
        Field(x => x.RequestId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.DealerId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Date);
        Field(x => x.Lines, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<SellOutLineInputType>>>));
    }
}

public sealed class QuotaProgressType : ObjectGraphType<QuotaProgress>
{
    public QuotaProgressType()
    {
        Name = "QuotaProgress";
        Field(x => x.OwnerId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Period);
        Field(x => x.Target);
        Field(x => x.Achieved);
        Field(x => x.Ratio);
    }
}

public sealed record QuotaInput(string OwnerId, string Period, decimal Target);

public sealed class QuotaInputType : InputObjectGraphType<QuotaInput>
{
    public QuotaInputType()
    {
        Name = "QuotaInput";
        Field(x => x.OwnerId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Period);
        Field(x => x.Target);
    }
}

public sealed class CrossRegionAlertType : ObjectGraphType<CrossRegionAlert>
{
    public CrossRegionAlertType()
    {
        Name = "CrossRegionAlert";
        Description = "串货: goods a dealer sold to a store outside its region.";
        Field(x => x.DealerId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.DealerRegion);
        Field(x => x.StoreId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.StoreRegion);
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Quantity);
        Field(x => x.At);
        Field(x => x.RequestId, type: typeof(NonNullGraphType<IdGraphType>));
    }
}

public sealed record OrderEdge(string Cursor, OrderView Node);

public sealed record OrderConnection(IReadOnlyList<OrderEdge> Edges, PageInfo PageInfo);

public sealed class OrderEdgeType : ObjectGraphType<OrderEdge>
{
    public OrderEdgeType()
    {
        Name = "OrderEdge";
        Field(x => x.Cursor);
        Field(x => x.Node, type: typeof(NonNullGraphType<OrderType>));
    }
}

public sealed class OrderConnectionType : ObjectGraphType<OrderConnection>
{
    public OrderConnectionType()
    {
        Name = "OrderConnection";
        Field(x => x.Edges, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<OrderEdgeType>>>));
        Field(x => x.PageInfo, type: typeof(NonNullGraphType<PageInfoType>));
    }
}
