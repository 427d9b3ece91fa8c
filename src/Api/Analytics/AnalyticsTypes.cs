using ChannelGrains.Common;
using ChannelGrains.Analytics;
using ChannelGrains.Api.Partners;
using ChannelGrains.Partners;
using GraphQL;
using GraphQL.Types;

namespace ChannelGrains.Api.Analytics;

public sealed class ChannelSummaryType : ObjectGraphType<ChannelSummaryView>
{
    public ChannelSummaryType()
    {
        Name = "ChannelSummary";
        Description = "The channel of one region subtree in one period. Flows sum over the period; channelStockUnits is the stock at the end of the period's latest month with data.";
        Field(x => x.Region);
        Field(x => x.Period);
        this.AddFigureFields(x => x.Figures);
        Field(x => x.UpdatedAt).Description("When these figures last changed (the Unix epoch if they never had data).");
    }
}

public sealed class TierFiguresType : ObjectGraphType<(DealerTier Tier, ChannelFigures Figures)>
{
    public TierFiguresType()
    {
        Name = "TierFigures";
        Field<NonNullGraphType<DealerTierType>>("tier").Resolve(c => c.Source.Tier);
        this.AddFigureFields(x => x.Figures);
    }
}

public sealed class SkuFiguresType : ObjectGraphType<SkuFigures>
{
    public SkuFiguresType()
    {
        Name = "SkuFigures";
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        this.IntField("orderUnits", x => x.OrderUnits);
        Field(x => x.OrderValue);
        this.IntField("sellOutUnits", x => x.SellOutUnits);
        Field(x => x.SellOutValue);
        this.IntField("stockUnits", x => x.StockUnits).Description("Units in the channel at the end of the period's latest month with data.");
    }
}

public sealed class DealerSellOutType : ObjectGraphType<DealerSellOut>
{
    public DealerSellOutType()
    {
        Name = "DealerSellOut";
        Field(x => x.DealerId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Region).Description("The dealer's region in the latest month of the period it sold in.");
        Field(x => x.SellOutValue);
    }
}

public sealed class RegionSummaryType : ObjectGraphType<ChannelSummaryView>
{
    public RegionSummaryType()
    {
        Name = "RegionSummary";
        Field(x => x.Region);
        Field<NonNullGraphType<ChannelSummaryType>>("summary").Resolve(c => c.Source);
    }
}

public static class FigureFields
{
    /// <summary>The figure fields of ChannelSummary, on any type that carries <see cref="ChannelFigures"/>.</summary>
    public static void AddFigureFields<T>(this ObjectGraphType<T> type, Func<T, ChannelFigures> figures)
    {
        type.IntField("orderCount", x => figures(x).OrderCount);
        type.Field<NonNullGraphType<DecimalGraphType>>("orderValue").Resolve(c => figures(c.Source).OrderValue);
        type.Field<NonNullGraphType<DecimalGraphType>>("sellOutValue").Resolve(c => figures(c.Source).SellOutValue);
        type.IntField("channelStockUnits", x => figures(x).ChannelStockUnits);
        type.Field<NonNullGraphType<DecimalGraphType>>("quotaTarget").Resolve(c => figures(c.Source).QuotaTarget);
        type.Field<NonNullGraphType<DecimalGraphType>>("quotaAchieved").Resolve(c => figures(c.Source).QuotaAchieved);
        type.IntField("visitsPlanned", x => figures(x).VisitsPlanned);
        type.IntField("visitsCompleted", x => figures(x).VisitsCompleted);
        type.IntField("leadsRegistered", x => figures(x).LeadsRegistered);
        type.IntField("leadsConverted", x => figures(x).LeadsConverted);
        type.Field<NonNullGraphType<DecimalGraphType>>("promotionCommitted").Resolve(c => figures(c.Source).PromotionCommitted);
        type.Field<NonNullGraphType<DecimalGraphType>>("promotionSpent").Resolve(c => figures(c.Source).PromotionSpent);
        type.IntField("crossRegionAlerts", x => figures(x).CrossRegionAlerts).Description("Cross-region selling (串货) alerts raised by the sources.");
    }
}

/// <summary>What a channelBreakdown resolves from: the aggregate's breakdown and where it came from.</summary>
public sealed record ChannelBreakdownSource(string Tenant, Period Period, ChannelBreakdownView View);

public sealed class ChannelBreakdownType : ObjectGraphType<ChannelBreakdownSource>
{
    public const int DefaultTopDealers = 20;
    public const int MaxTopDealers = 200;

    public ChannelBreakdownType()
    {
        Name = "ChannelBreakdown";
        Description = "A region's period broken down by dealer tier, by SKU, by child region, and its top dealers by sell-out.";
        Field<NonNullGraphType<StringGraphType>>("region").Resolve(c => c.Source.View.Region);
        Field<NonNullGraphType<StringGraphType>>("period").Resolve(c => c.Source.View.Period);
        Field<NonNullGraphType<ChannelSummaryType>>("summary").Resolve(c => AnalyticsFields.Summary(c.Source.View));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TierFiguresType>>>>("byTier")
            .Description("Dealer sources by tier, in tier order; tiers without data are left out.")
            .Resolve(c => c.Source.View.Totals.ByTier
                .Select(t => (Tier: Enum.Parse<DealerTier>(t.Key), Figures: t.Value)).OrderBy(t => t.Tier).ToArray());
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SkuFiguresType>>>>("bySku")
            .Description("SKUs by sell-out value, highest first (ties by SKU).")
            .Argument<IntGraphType>("first")
            .Resolve(c => c.Source.View.Totals.BySku.OrderByDescending(s => s.SellOutValue).ThenBy(s => s.Sku, StringComparer.Ordinal)
                .Take(Schema.Paging.First(c.GetArgument<int?>("first"))).ToArray());
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionSummaryType>>>>("children")
            .Description("The direct child regions with data, by region path.")
            .ResolveAsync(async c => await AnalyticsFields.ChildrenAsync(c, c.Source));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<DealerSellOutType>>>>("topDealers")
            .Description($"The dealers of the region subtree with the highest sell-out in the period (default {DefaultTopDealers}, at most {MaxTopDealers}).")
            .Argument<IntGraphType>("first")
            .ResolveAsync(async c => await AnalyticsFields.TopDealersAsync(c, c.Source, c.GetArgument<int?>("first")));
    }
}
