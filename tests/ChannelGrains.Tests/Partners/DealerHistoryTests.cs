using ChannelGrains.Analytics;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Partners;

/// <summary>Importing finished months from a legacy system (IDealerGrain.ImportHistoryAsync) on a real cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DealerHistoryTests(ClusterFixture fixture) : IDisposable
{
    private const string Region = "CN/East/Jiangsu/Nanjing";

    private readonly string tenant = TestTenant.New();
    private readonly InProcessGraphQL api = new(fixture.Grains, fixture.Cluster.Client);

    private static readonly Period CurrentMonth = Period.MonthOf(DateTime.UtcNow);
    private static readonly string LastMonth = MonthsAgo(1);
    private static readonly string TwoMonthsAgo = MonthsAgo(2);

    private IDealerGrain Dealer => fixture.Grains.GetGrain<IDealerGrain>(Keys.Of(tenant, "D1"));

    private static string MonthsAgo(int back)
    {
        var at = DateTime.UtcNow;
        var first = new DateTime(at.Year, at.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-back);
        return Period.MonthOf(first).ToString();
    }

    private static HistoricMonth Month(string month, decimal orderValue = 1_000m, int stock = 40) =>
        new(month, OrderCount: 3, [new HistoricSku("TEA", 100, orderValue, 80, 1_200m, stock)], QuotaTarget: 1_500m);

    private async Task DealerAsync()
    {
        var product = fixture.Grains.GetGrain<IProductGrain>(Keys.Of(tenant, "TEA"));
        await product.UpsertAsync(new ProductInfo("TEA", "Tea", 10m, 8m));
        await product.AdjustStockAsync(1_000, "received");
        await Dealer.UpsertAsync(new DealerInfo("D1", "D1", Region, DealerTier.Value, DealerStatus.Admitted, 1_000_000m, ["TEA"]));
    }

    private async Task<decimal> OrderValueAsync(string region, string period) =>
        (await api.ExecuteAsync(Callers.Admin(tenant), "query($region: String!, $period: String!) { channelSummary(region: $region, period: $period) { orderValue } }",
            new { region, period })).Data("channelSummary").GetProperty("orderValue").GetDecimal();

    [Fact]
    public async Task Importing_the_current_month_is_refused_with_validation_and_changes_nothing()
    {
        await DealerAsync();

        var refused = await Assert.ThrowsAsync<ChannelException>(() => Dealer.ImportHistoryAsync(
            new DealerHistoryImport([Month(LastMonth), Month(CurrentMonth.ToString())], [new SkuQuantity("TEA", 50)])));

        Assert.Equal(ErrorCodes.Validation, refused.Code);
        Assert.Equal(0m, (await Dealer.GetQuotaAsync(LastMonth)).Target);
        Assert.Empty((await Dealer.GetAsync())!.Inventory);
    }

    [Fact]
    public async Task Importing_the_same_history_twice_gives_the_same_figures_not_double()
    {
        await DealerAsync();
        var history = new DealerHistoryImport([Month(TwoMonthsAgo, 700m), Month(LastMonth, 1_000m)], [new SkuQuantity("TEA", 40)]);

        await Dealer.ImportHistoryAsync(history);
        var again = await Dealer.ImportHistoryAsync(history);

        Assert.Equal(new QuotaProgress("D1", LastMonth, 1_500m, 1_000m), await Dealer.GetQuotaAsync(LastMonth));
        Assert.Equal(40, Assert.Single(again.Inventory).OnHand);
        await Eventually.TrueAsync(async () => await OrderValueAsync("CN", LastMonth) == 1_000m, TimeSpan.FromSeconds(10),
            async () => $"CN shows {await OrderValueAsync("CN", LastMonth)} for {LastMonth}");
    }

    [Fact]
    public async Task A_new_import_of_a_month_replaces_it()
    {
        await DealerAsync();
        await Dealer.ImportHistoryAsync(new DealerHistoryImport([Month(LastMonth, 1_000m)]));

        await Dealer.ImportHistoryAsync(new DealerHistoryImport([Month(LastMonth, 400m)]));

        Assert.Equal(400m, (await Dealer.GetQuotaAsync(LastMonth)).Achieved);
    }

    [Fact]
    public async Task Opening_stock_lets_the_dealer_sell_and_is_refused_once_its_stock_moved_live()
    {
        await DealerAsync();
        await Dealer.ImportHistoryAsync(new DealerHistoryImport([Month(LastMonth)], [new SkuQuantity("TEA", 40)]));
        await Dealer.ReportSellOutAsync(new SellOutReport("S1", "D1", DateTime.UtcNow, [new SellOutLine("TEA", 15, 225m, null)]));

        var refused = await Assert.ThrowsAsync<ChannelException>(() => Dealer.ImportHistoryAsync(
            new DealerHistoryImport([Month(LastMonth, 999m)], [new SkuQuantity("TEA", 500)])));

        Assert.Equal(ErrorCodes.InvalidTransition, refused.Code);
        Assert.Equal(25, Assert.Single((await Dealer.GetAsync())!.Inventory).OnHand);
        Assert.Equal(1_000m, (await Dealer.GetQuotaAsync(LastMonth)).Achieved);
    }

    [Fact]
    public async Task Opening_stock_is_refused_after_an_order_and_months_alone_are_still_imported()
    {
        await DealerAsync();
        await fixture.Grains.GetGrain<IOrderGrain>(Keys.Of(tenant, "O1")).PlaceAsync(new PlaceOrder("O1", "D1", [new OrderLineInput("TEA", 5, null, null)]));

        var refused = await Assert.ThrowsAsync<ChannelException>(() => Dealer.ImportHistoryAsync(
            new DealerHistoryImport([Month(LastMonth)], [new SkuQuantity("TEA", 40)])));
        await Dealer.ImportHistoryAsync(new DealerHistoryImport([Month(LastMonth)]));

        Assert.Equal(ErrorCodes.InvalidTransition, refused.Code);
        Assert.Equal(1_000m, (await Dealer.GetQuotaAsync(LastMonth)).Achieved);
        Assert.Empty((await Dealer.GetAsync())!.Inventory);
    }

    [Fact]
    public async Task Imported_months_show_in_the_channel_summary_of_past_months_and_their_regions()
    {
        await DealerAsync();
        var lastMonth = new HistoricMonth(LastMonth, 4,
            [new HistoricSku("TEA", 100, 1_000m, 80, 1_200m, 40), new HistoricSku("RICE", 10, 250m, 5, 90m, 12)], 2_000m,
            [new WeeklySellOut("TEA", IsoWeeks.Of(DateOnly.Parse(LastMonth + "-15", System.Globalization.CultureInfo.InvariantCulture)), 20)]);

        await Dealer.ImportHistoryAsync(new DealerHistoryImport([lastMonth, Month(TwoMonthsAgo, 600m)]));

        const string Summary = "query($region: String!, $period: String!) { channelSummary(region: $region, period: $period) { orderCount orderValue sellOutValue channelStockUnits quotaTarget quotaAchieved } }";
        foreach (var region in new[] { "CN", "CN/East", Region })
        {
            await Eventually.TrueAsync(async () => await OrderValueAsync(region, LastMonth) == 1_250m, TimeSpan.FromSeconds(10),
                async () => $"{region} shows {await OrderValueAsync(region, LastMonth)} for {LastMonth}");
        }
        var summary = (await api.ExecuteAsync(Callers.Admin(tenant), Summary, new { region = "CN/East", period = LastMonth })).Data("channelSummary");
        Assert.Equal(4, summary.GetProperty("orderCount").GetInt32());
        Assert.Equal(1_290m, summary.GetProperty("sellOutValue").GetDecimal());
        Assert.Equal(52, summary.GetProperty("channelStockUnits").GetInt32());
        Assert.Equal(2_000m, summary.GetProperty("quotaTarget").GetDecimal());
        Assert.Equal(1_250m, summary.GetProperty("quotaAchieved").GetDecimal());
        Assert.Equal(600m, await OrderValueAsync("CN", TwoMonthsAgo));
    }

    [Theory]
    [InlineData("2999-01")]
    [InlineData("not-a-month")]
    public async Task Future_or_malformed_months_are_refused(string month)
    {
        await DealerAsync();

        var refused = await Assert.ThrowsAsync<ChannelException>(() => Dealer.ImportHistoryAsync(new DealerHistoryImport([Month(month)])));

        Assert.Equal(ErrorCodes.Validation, refused.Code);
    }

    public void Dispose() => api.Dispose();
}
