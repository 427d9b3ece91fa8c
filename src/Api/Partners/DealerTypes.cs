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

/// <summary>The input of <c>importDealerHistory</c>: the dealer, then what <see cref="DealerHistoryImport"/> carries.</summary>
public sealed record DealerHistoryInput(string DealerId, IReadOnlyList<HistoricMonth>? Months, IReadOnlyList<SkuQuantity>? OpeningStock);

public sealed class DealerHistoryInputType : InputObjectGraphType<DealerHistoryInput>
{
    public DealerHistoryInputType()
    {
        Name = "DealerHistoryInput";
        Field(x => x.DealerId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Months, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<HistoricMonthInputType>>>));
        Field(x => x.OpeningStock, type: typeof(ListGraphType<NonNullGraphType<SkuQuantityInputType>>)).Description("Units on hand per SKU to start the live stock with.");
    }
}

public sealed class HistoricMonthInputType : InputObjectGraphType<HistoricMonth>
{
    public HistoricMonthInputType()
    {
        Name = "HistoricMonthInput";
        Field(x => x.Month).Description("YYYY-MM, before the current month.");
        Field(x => x.OrderCount);
        Field(x => x.Skus, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<HistoricSkuInputType>>>));
        Field(x => x.QuotaTarget);
        Field(x => x.Weeks, type: typeof(ListGraphType<NonNullGraphType<WeeklySellOutInputType>>)).Description("Sell-out units per SKU and ISO week, for demand planning.");
    }
}

public sealed class HistoricSkuInputType : InputObjectGraphType<HistoricSku>
{
    public HistoricSkuInputType()
    {
        Name = "HistoricSkuInput";
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.OrderUnits);
        Field(x => x.OrderValue);
        Field(x => x.SellOutUnits);
        Field(x => x.SellOutValue);
        Field(x => x.EndStockUnits).Description("Units the dealer held at the month's end.");
    }
}

public sealed class WeeklySellOutInputType : InputObjectGraphType<ChannelGrains.Analytics.WeeklySellOut>
{
    public WeeklySellOutInputType()
    {
        Name = "WeeklySellOutInput";
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Week).Description("An ISO week, such as 2026-W48.");
        Field(x => x.Units);
    }
}

public sealed class SkuQuantityInputType : InputObjectGraphType<SkuQuantity>
{
    public SkuQuantityInputType()
    {
        Name = "SkuQuantityInput";
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Quantity);
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
