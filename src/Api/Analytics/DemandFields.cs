using ChannelGrains.Analytics;
using ChannelGrains.Api.Auth;
using ChannelGrains.Api.Schema;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using GraphQL;
using GraphQL.Types;

namespace ChannelGrains.Api.Analytics;

/// <summary>One SKU's demand picture in a region: recent weekly sell-out, stock in the channel, the forecast and the weeks it covers.</summary>
public sealed record SkuDemand(
    string Sku,
    string Region,
    IReadOnlyList<WeekUnits> WeeklySellOut,
    long DealerStockUnits,
    long ManufacturerStockUnits,
    IReadOnlyList<WeekForecast> Forecast,
    double? WeeksOfCover)
{
    public long ChannelStockUnits => DealerStockUnits + ManufacturerStockUnits;
}

public sealed record WeekUnits(string Week, long Units);

public sealed record WeekForecast(string Week, double Units);

/// <summary>Demand for production planning (排产): where, per SKU, the channel's stock runs out.</summary>
public static class DemandFields
{
    public const int DefaultWeeks = 12, MaxWeeks = 104, DefaultHorizon = 4, MaxHorizon = 26;

    /// <summary>The most SKUs one request names: each is a product read and a row of weeks in the answer.</summary>
    public const int MaxSkus = 500;

    public static void AddDemandQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<SkuDemandType>>>>("demand")
            .Description("Per SKU in a region subtree: weekly sell-out up to throughWeek (default: this week), dealer and manufacturer stock, "
                + "a forecast of the next weeks and the weeks of cover, soonest run-out first.")
            .Argument<NonNullGraphType<StringGraphType>>("region")
            .Argument<StringGraphType>("throughWeek", "An ISO week such as 2026-W48; default the current week.")
            .Argument<IntGraphType>("weeks", $"History length in weeks (default {DefaultWeeks}, at most {MaxWeeks}).")
            .Argument<IntGraphType>("horizon", $"Forecast length in weeks (default {DefaultHorizon}, at most {MaxHorizon}).")
            .Argument<ListGraphType<NonNullGraphType<IdGraphType>>>("skus", $"Only these SKUs (at most {MaxSkus}); default every SKU with data.")
            .ResolveAsync(async context => await ResolveAsync(context));
    }

    private static async Task<IReadOnlyList<SkuDemand>> ResolveAsync(IResolveFieldContext context)
    {
        var caller = context.Caller();
        var region = Validate.Region(context.GetArgument<string>("region"));
        if (!Access.CanManage(caller, region))
            throw new ChannelException(ErrorCodes.Forbidden, $"A {Caller.RoleName(caller.Role)} token may not read the channel of {region}.");
        var through = context.GetArgument<string?>("throughWeek") ?? IsoWeeks.Of(DateOnly.FromDateTime(DateTime.UtcNow));
        var lastMonday = IsoWeeks.Monday(through);
        var count = Bounded(context.GetArgument<int?>("weeks") ?? DefaultWeeks, 2, MaxWeeks, "weeks");
        var horizon = Bounded(context.GetArgument<int?>("horizon") ?? DefaultHorizon, 1, MaxHorizon, "horizon");
        // Said here, in the caller's terms: a week outside the years is otherwise refused by its name, which the caller never sent.
        if (lastMonday.AddDays(-7 * (count - 1)).Year < Period.MinYear || lastMonday.AddDays(7 * horizon + 6).Year > Period.MaxYear)
            throw ChannelException.Validation($"{count} weeks through {through} and {horizon} weeks ahead reach outside the years {Period.MinYear} to {Period.MaxYear}.");
        // The SKUs asked for are checked before anything is read.
        var named = context.GetArgument<List<string>?>("skus");
        if (named?.Count > MaxSkus) throw ChannelException.Validation($"skus names at most {MaxSkus} SKUs; it names {named.Count}.");
        var requested = named?.Select(s => Validate.Id(s, "skus")).Distinct(StringComparer.Ordinal).ToArray();
        var weeks = IsoWeeks.Ending(through, count);
        var months = IsoWeeks.Months(weeks);

        var grains = context.Grains();
        var breakdowns = await Task.WhenAll(months.Select(m =>
            grains.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(caller.Tenant, m, region)).GetBreakdownAsync()));
        var totals = Rollup.OverMonths(months.Zip(breakdowns, (m, b) => (m.ToString(), b.Totals)));
        // Weeks are summed from the source shards of each month (the aggregates do not carry them).
        var shardWeeks = await Task.WhenAll(months.SelectMany(m => AnalyticsKeys.AllShards(caller.Tenant, m.ToString()))
            .Select(shard => grains.GetGrain<ISourceShardGrain>(shard).GetWeeklySellOutAsync(region)));
        var weekly = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, units) in shardWeeks.SelectMany(w => w)) weekly[key] = weekly.GetValueOrDefault(key) + units;
        var skus = requested
            ?? totals.BySku.Keys.Concat(weekly.Keys.Select(k => k[(k.IndexOf('/') + 1)..])).Distinct(StringComparer.Ordinal).ToArray();
        var products = await Task.WhenAll(skus.Select(sku => grains.GetGrain<IProductGrain>(Keys.Of(caller.Tenant, sku)).GetAsync()));
        var future = IsoWeeks.After(through, horizon);

        return skus.Zip(products, (sku, product) =>
        {
            var history = weeks.Select(w => new WeekUnits(w, weekly.GetValueOrDefault(ChannelTotals.WeekKey(w, sku)))).ToArray();
            var forecast = HoltForecast.Forecast(history.Select(h => (double)h.Units).ToArray(), horizon);
            var dealerStock = totals.BySku.GetValueOrDefault(sku)?.StockUnits ?? 0;
            var manufacturerStock = product?.OnHand ?? 0;
            return new SkuDemand(sku, region, history, dealerStock, manufacturerStock,
                future.Zip(forecast, (w, units) => new WeekForecast(w, Math.Round(units, 2))).ToArray(),
                HoltForecast.WeeksOfCover(dealerStock + manufacturerStock, forecast) is { } cover ? Math.Round(cover, 2) : null);
        })
        .OrderBy(d => d.WeeksOfCover ?? double.MaxValue).ThenBy(d => d.Sku, StringComparer.Ordinal).ToArray();
    }

    private static int Bounded(int value, int min, int max, string field) =>
        value >= min && value <= max ? value : throw ChannelException.Validation($"{field} must be between {min} and {max}.");
}

public sealed class SkuDemandType : ObjectGraphType<SkuDemand>
{
    public SkuDemandType()
    {
        Name = "SkuDemand";
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Region);
        Field(x => x.WeeklySellOut, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<WeekUnitsType>>>)).Description("Sell-out units per ISO week, oldest first.");
        this.IntField("dealerStockUnits", x => x.DealerStockUnits).Description("Units in dealer stock in the region subtree (latest month with data).");
        this.IntField("manufacturerStockUnits", x => x.ManufacturerStockUnits).Description("The manufacturer's on-hand units of the SKU (tenant-wide).");
        this.IntField("channelStockUnits", x => x.ChannelStockUnits).Description("Dealer plus manufacturer stock.");
        Field(x => x.Forecast, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<WeekForecastType>>>));
        Field(x => x.WeeksOfCover, nullable: true).Description("Channel stock over the mean forecast week; null when no sell-out is forecast.");
        Field<NonNullGraphType<StringGraphType>>("forecastMethod").Resolve(_ => HoltForecast.Method);
    }
}

public sealed class WeekUnitsType : ObjectGraphType<WeekUnits>
{
    public WeekUnitsType()
    {
        Name = "WeekUnits";
        Field(x => x.Week);
        this.IntField("units", x => x.Units);
    }
}

public sealed class WeekForecastType : ObjectGraphType<WeekForecast>
{
    public WeekForecastType()
    {
        Name = "WeekForecast";
        Field(x => x.Week);
        Field(x => x.Units);
    }
}
