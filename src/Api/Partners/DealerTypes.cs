using ChannelGrains.Api.Ordering;
using ChannelGrains.Api.Schema;
using ChannelGrains.Partners;
using GraphQL.Types;

namespace ChannelGrains.Api.Partners;

public sealed class DealerTierType : EnumerationGraphType<DealerTier>
{
    public DealerTierType() => Name = "DealerTier";
}

public sealed class DealerStatusType : EnumerationGraphType<DealerStatus>
{
    public DealerStatusType() => Name = "DealerStatus";
}

public sealed class StockLevelType : ObjectGraphType<StockLevel>
{
    public StockLevelType()
    {
        Name = "StockLevel";
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.OnHand);
        Field(x => x.InTransit);
    }
}

public sealed class DealerType : ObjectGraphType<DealerView>
{
    public DealerType()
    {
        Name = "Dealer";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Name);
        Field(x => x.Region);
        Field(x => x.Tier, type: typeof(NonNullGraphType<DealerTierType>));
        Field(x => x.Status, type: typeof(NonNullGraphType<DealerStatusType>));
        Field(x => x.CreditLimit);
        Field(x => x.CreditUsed);
        Field(x => x.AuthorizedSkus, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>));
        Field(x => x.Inventory, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<StockLevelType>>>));
        this.AddDealerOrderFields();
    }
}

public sealed class DealerInputType : InputObjectGraphType<DealerInfo>
{
    public DealerInputType()
    {
        Name = "DealerInput";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Name);
        Field(x => x.Region);
        Field(x => x.Tier, type: typeof(NonNullGraphType<DealerTierType>));
        Field(x => x.Status, type: typeof(NonNullGraphType<DealerStatusType>));
        Field(x => x.CreditLimit);
        Field(x => x.AuthorizedSkus, type: typeof(ListGraphType<NonNullGraphType<IdGraphType>>));
    }
}

public sealed record DealerEdge(string Cursor, DealerView Node);

public sealed record DealerConnection(IReadOnlyList<DealerEdge> Edges, PageInfo PageInfo, int TotalCount);

public sealed class DealerEdgeType : ObjectGraphType<DealerEdge>
{
    public DealerEdgeType()
    {
        Name = "DealerEdge";
        Field(x => x.Cursor);
        Field(x => x.Node, type: typeof(NonNullGraphType<DealerType>));
    }
}

public sealed class DealerConnectionType : ObjectGraphType<DealerConnection>
{
    public DealerConnectionType()
    {
        Name = "DealerConnection";
        Field(x => x.Edges, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<DealerEdgeType>>>));
        Field(x => x.PageInfo, type: typeof(NonNullGraphType<PageInfoType>));
        Field(x => x.TotalCount);
    }
}
