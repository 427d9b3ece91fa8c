using System.Text.Json;
using ChannelGrains.Analytics;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Analytics;

public sealed class HoltForecastTests
{
    [Fact]
    public void A_constant_series_forecasts_the_constant()
    {
        Assert.Equal([10d, 10d, 10d], HoltForecast.Forecast([10, 10, 10, 10], 3));
    }

    [Fact]
    public void A_linear_series_forecasts_the_continued_line()
    {
        Assert.Equal([10d, 12d, 14d], HoltForecast.Forecast([2, 4, 6, 8], 3));
    }

    [Fact]
    public void An_irregular_series_follows_the_smoothing_equations()
    {
        // l0 = 10, b0 = 4; t1: l = .5*14 + .5*(10+4) = 14, b = .3*4 + .7*4 = 4; t2: l = .5*12 + .5*18 = 15, b = .3*1 + .7*4 = 3.1
        var forecast = HoltForecast.Forecast([10, 14, 12], 2);

        Assert.Equal(18.1, forecast[0], precision: 9);
        Assert.Equal(21.2, forecast[1], precision: 9);
    }

    [Fact]
    public void A_falling_series_is_never_forecast_below_zero()
    {
        Assert.Equal([0d, 0d], HoltForecast.Forecast([30, 20, 10, 0], 2));
    }

    [Fact]
    public void One_week_of_history_forecasts_flat_and_none_forecasts_zero()
    {
        Assert.Equal([7d, 7d], HoltForecast.Forecast([7], 2));
        Assert.Equal([0d, 0d], HoltForecast.Forecast([], 2));
    }

    [Fact]
    public void Weeks_of_cover_is_stock_over_the_mean_forecast_week_and_null_without_demand()
    {
        Assert.Equal(5d, HoltForecast.WeeksOfCover(100, [10, 30]));
        Assert.Null(HoltForecast.WeeksOfCover(100, [0, 0]));
    }

    [Fact]
    public void Iso_weeks_cross_years_and_months()
    {
        Assert.Equal("2026-W48", IsoWeeks.Of(new DateOnly(2026, 11, 26)));
        Assert.Equal(["2025-W52", "2026-W01", "2026-W02"], IsoWeeks.Ending("2026-W02", 3));
        Assert.Equal(["2026-W03"], IsoWeeks.After("2026-W02", 1));
        Assert.Equal(["2025-12", "2026-01"], IsoWeeks.Months(["2026-W01"]).Select(m => m.ToString()));
        Assert.True(IsoWeeks.Overlaps("2026-W44", Period.Parse("2026-11")));
        Assert.False(IsoWeeks.Overlaps("2026-W46", Period.Parse("2026-10")));
        // A week across two months (and here two years) overlaps both, and no other.
        Assert.True(IsoWeeks.Overlaps("2026-W44", Period.Parse("2026-10")));
        Assert.True(IsoWeeks.Overlaps("2026-W01", Period.Parse("2025-12")));
        Assert.True(IsoWeeks.Overlaps("2026-W01", Period.Parse("2026-01")));
        Assert.False(IsoWeeks.Overlaps("2026-W01", Period.Parse("2026-02")));
        Assert.False(IsoWeeks.Overlaps("2026-W01", Period.Parse("2026-12")));
    }

    [Theory]
    [InlineData("2026-W54")]
    [InlineData("2026-W00")]
    [InlineData("2026W48")]
    [InlineData("2026-48")]
    public void Malformed_weeks_are_refused_with_validation(string week)
    {
        Assert.Equal(ErrorCodes.Validation, Assert.Throws<ChannelException>(() => IsoWeeks.Monday(week)).Code);
    }
}

[Collection(ClusterCollection.Name)]
public sealed class DemandApiTests(ClusterFixture fixture) : IDisposable
{
    private readonly InProcessGraphQL api = new(fixture.Grains, fixture.Cluster.Client);
    private readonly Synthetic sources = new(TestTenant.New(), seed: 5);

    private const string Demand = "query($region: String!, $through: String, $weeks: Int, $horizon: Int, $skus: [ID!]) { demand(region: $region, throughWeek: $through, weeks: $weeks, horizon: $horizon, skus: $skus) { sku region weeklySellOut { week units } dealerStockUnits manufacturerStockUnits channelStockUnits forecast { week units } weeksOfCover forecastMethod } }";

    private Contribution Month(string dealer, string region, string month, int stock, params WeeklySellOut[] weeks) =>
        sources.Record(new Contribution(sources.Tenant, Contribution.DealerSource(dealer), 0, region, DealerTier.Value, month,
            new ChannelFigures { ChannelStockUnits = stock }, [new SkuFigures("P1", 0, 0, weeks.Sum(w => w.Units), 0, stock)], weeks));

    [Fact]
    public async Task Demand_sums_weekly_sell_out_across_dealers_and_month_splits_and_forecasts_with_holt()
    {
        // 2026-W44 runs from Monday 26 October to Sunday 1 November: October and November each report their days.
        var contributions = new[]
        {
            Month("A", "CN/East/Shanghai", "2026-10", 300, new WeeklySellOut("P1", "2026-W43", 20), new WeeklySellOut("P1", "2026-W44", 15)),
            Month("A", "CN/East/Shanghai", "2026-11", 200, new WeeklySellOut("P1", "2026-W44", 10), new WeeklySellOut("P1", "2026-W45", 30), new WeeklySellOut("P1", "2026-W46", 35)),
            Month("B", "CN/East/Hangzhou", "2026-11", 100, new WeeklySellOut("P1", "2026-W45", 5), new WeeklySellOut("P1", "2026-W46", 5)),
            Month("C", "CN/North/Beijing", "2026-11", 999, new WeeklySellOut("P1", "2026-W46", 999)),
        };
        await Synthetic.PublishAsync(fixture.Grains, contributions);
        await fixture.Grains.GetGrain<IProductGrain>(Keys.Of(sources.Tenant, "P1")).UpsertAsync(new ProductInfo("P1", "Product 1", 10m, 5m));
        await fixture.Grains.GetGrain<IProductGrain>(Keys.Of(sources.Tenant, "P1")).AdjustStockAsync(500, "opening stock");
        await sources.AssertEventuallyExactAsync(fixture.Grains);

        var demand = (await api.ExecuteAsync(Callers.Admin(sources.Tenant), Demand,
            new { region = "CN/East", through = "2026-W46", weeks = 4, horizon = 2, skus = new[] { "P1" } })).Data("demand")[0];

        var weekly = demand.GetProperty("weeklySellOut").EnumerateArray().Select(w => (w.GetProperty("week").GetString(), w.GetProperty("units").GetInt32()));
        Assert.Equal([("2026-W43", 20), ("2026-W44", 25), ("2026-W45", 35), ("2026-W46", 40)], weekly);
        Assert.Equal(300, demand.GetProperty("dealerStockUnits").GetInt32());
        Assert.Equal(500, demand.GetProperty("manufacturerStockUnits").GetInt32());
        Assert.Equal(800, demand.GetProperty("channelStockUnits").GetInt32());
        var expected = HoltForecast.Forecast([20, 25, 35, 40], 2);
        var forecast = demand.GetProperty("forecast").EnumerateArray().ToList();
        Assert.Equal(["2026-W47", "2026-W48"], forecast.Select(f => f.GetProperty("week").GetString()));
        Assert.Equal(Math.Round(expected[0], 2), forecast[0].GetProperty("units").GetDouble(), precision: 9);
        Assert.Equal(Math.Round(800 / expected.Average(), 2), demand.GetProperty("weeksOfCover").GetDouble(), precision: 9);
    }

    [Theory]
    [InlineData("CN/East", "2026-W60", 4, 2, "VALIDATION")]
    [InlineData("CN/East", "2026-W46", 1, 2, "VALIDATION")]
    [InlineData("CN/East", "2026-W46", 4, 0, "VALIDATION")]
    [InlineData("CN//East", "2026-W46", 4, 2, "VALIDATION")]
    public async Task Malformed_demand_arguments_are_refused_with_validation(string region, string through, int weeks, int horizon, string code)
    {
        Assert.Equal(code, (await api.ExecuteAsync(Callers.Admin(sources.Tenant), Demand, new { region, through, weeks, horizon })).ErrorCode());
    }

    [Fact]
    public async Task More_skus_than_a_page_holds_are_refused_with_validation()
    {
        var skus = Enumerable.Range(0, ChannelGrains.Api.Analytics.DemandFields.MaxSkus + 1).Select(i => $"X{i}").ToArray();

        var refused = await api.ExecuteAsync(Callers.Admin(sources.Tenant), Demand, new { region = "CN/East", skus });

        Assert.Equal("VALIDATION", refused.ErrorCode());
        Assert.Null((await api.ExecuteAsync(Callers.Admin(sources.Tenant), Demand, new { region = "CN/East", skus = skus[..ChannelGrains.Api.Analytics.DemandFields.MaxSkus] })).ErrorCode());
    }

    [Fact]
    public async Task Demand_follows_the_summary_access_rules()
    {
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(Callers.Manager(sources.Tenant, "CN/North"), Demand, new { region = "CN/East" })).ErrorCode());
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(Callers.Dealer(sources.Tenant, "A"), Demand, new { region = "CN/East" })).ErrorCode());
        Assert.Null((await api.ExecuteAsync(Callers.Manager(sources.Tenant, "CN/East"), Demand, new { region = "CN/East/Shanghai" })).ErrorCode());
    }

    [Theory]
    [InlineData("2000-W01", 104, 2)]
    [InlineData("2999-W50", 4, 8)]
    public async Task Weeks_reaching_outside_the_channels_years_are_refused_in_the_callers_terms(string through, int weeks, int horizon)
    {
        var refused = await api.ExecuteAsync(Callers.Admin(sources.Tenant), Demand, new { region = "CN/East", through, weeks, horizon });

        Assert.Equal("VALIDATION", refused.ErrorCode());
        Assert.Contains($"through {through}", refused.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Stock_beyond_a_GraphQL_Int_still_gives_the_weeks_of_cover_and_its_total_is_an_error_that_names_it()
    {
        // 25 dealers holding 100,000,000 units of P1 each (the most one dealer may) and 2,000,000,000 at the manufacturer:
        // 4.5 billion units of cover. Summed in 32 bits, the dealers' stock wrapped and the cover came out wrong.
        var contributions = Enumerable.Range(0, 25).Select(i => Month($"BIG{i}", "CN/East/Shanghai", "2026-11", 100_000_000,
            new WeeklySellOut("P1", "2026-W45", 1_000_000), new WeeklySellOut("P1", "2026-W46", 1_000_000))).ToArray();
        await Synthetic.PublishAsync(fixture.Grains, contributions);
        await fixture.Grains.GetGrain<IProductGrain>(Keys.Of(sources.Tenant, "P1")).UpsertAsync(new ProductInfo("P1", "Product 1", 10m, 5m));
        await fixture.Grains.GetGrain<IProductGrain>(Keys.Of(sources.Tenant, "P1")).AdjustStockAsync(2_000_000_000, "opening stock");
        var arguments = new { region = "CN/East", through = "2026-W46", weeks = 4, horizon = 2, skus = new[] { "P1" } };
        var expected = HoltForecast.Forecast([0, 0, 25_000_000, 25_000_000], 2);
        var cover = Math.Round(4_500_000_000 / expected.Average(), 2);

        // Every dealer's stock and weeks have arrived once the weeks add up and the cover is stable; it must be the exact one.
        JsonElement demand = default;
        await Eventually.TrueAsync(async () =>
        {
            demand = (await api.ExecuteAsync(Callers.Admin(sources.Tenant),
                "query($region: String!, $through: String, $weeks: Int, $horizon: Int, $skus: [ID!]) { demand(region: $region, throughWeek: $through, weeks: $weeks, horizon: $horizon, skus: $skus) { weeklySellOut { units } manufacturerStockUnits weeksOfCover } }",
                arguments)).Data("demand")[0];
            return demand.GetProperty("weeksOfCover").ValueKind == JsonValueKind.Number && demand.GetProperty("weeksOfCover").GetDouble() == cover;
        }, TimeSpan.FromSeconds(30), () => Task.FromResult($"demand is {demand} against a cover of {cover}")); // 32 bits gave 7.27 weeks, not 159.47

        Assert.Equal([0L, 0L, 25_000_000L, 25_000_000L], demand.GetProperty("weeklySellOut").EnumerateArray().Select(w => w.GetProperty("units").GetInt64()));
        Assert.Equal(2_000_000_000, demand.GetProperty("manufacturerStockUnits").GetInt32());

        var tooLarge = await api.ExecuteAsync(Callers.Admin(sources.Tenant), Demand, arguments);
        Assert.Equal("INT_OUT_OF_RANGE", tooLarge.ErrorCode());
        var messages = tooLarge.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("message").GetString()).ToArray();
        Assert.Contains(messages, m => m!.StartsWith("dealerStockUnits is 2,500,000,000", StringComparison.Ordinal));
    }

    public void Dispose() => api.Dispose();
}
