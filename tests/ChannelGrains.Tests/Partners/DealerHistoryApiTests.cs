using System.Globalization;
using System.Text.Json;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Partners;

/// <summary><c>importDealerHistory</c>: the history import over GraphQL, with its rules and who may use it (rule 19).</summary>
[Collection(ClusterCollection.Name)]
public sealed class DealerHistoryApiTests(ClusterFixture fixture)
{
    private const string Region = "CN/East/Jiangsu/Nanjing";
    private const string Import = "mutation($input: DealerHistoryInput!) { importDealerHistory(input: $input) { id inventory { sku onHand } } }";

    private readonly string tenant = TestTenant.New();
    private readonly InProcessGraphQL api = new(fixture.Grains, fixture.Cluster.Client);

    private static DateTime FirstOfMonthsAgo(int back)
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-back);
    }

    private static string MonthsAgo(int back) => Period.MonthOf(FirstOfMonthsAgo(back)).ToString();

    /// <summary>A month <paramref name="back"/> months ago, with a week of sell-out in its middle.</summary>
    private static object Month(int back, decimal orderValue = 1_000m)
    {
        var middle = FirstOfMonthsAgo(back).AddDays(14);
        var week = $"{ISOWeek.GetYear(middle)}-W{ISOWeek.GetWeekOfYear(middle):00}";
        return Month(MonthsAgo(back), orderValue, new[] { new { sku = "TEA", week, units = 20 } });
    }

    private static object Month(string month, decimal orderValue = 1_000m, object[]? weeks = null) => new
    {
        month,
        orderCount = 3,
        quotaTarget = 1_500m,
        skus = new[] { new { sku = "TEA", orderUnits = 100, orderValue, sellOutUnits = 80, sellOutValue = 1_200m, endStockUnits = 40 } },
        weeks,
    };

    private static object Input(object[] months, int? openingStock = null) => new
    {
        input = new { dealerId = "D1", months, openingStock = openingStock is { } units ? new[] { new { sku = "TEA", quantity = units } } : null },
    };

    private async Task DealerAsync()
    {
        var product = fixture.Grains.GetGrain<IProductGrain>(Keys.Of(tenant, "TEA"));
        await product.UpsertAsync(new ProductInfo("TEA", "Tea", 10m, 8m));
        await product.AdjustStockAsync(1_000, "received");
        await fixture.Grains.GetGrain<IDealerGrain>(Keys.Of(tenant, "D1")).UpsertAsync(new DealerInfo("D1", "D1", Region, DealerTier.Value, DealerStatus.Admitted, 1_000_000m, ["TEA"]));
    }

    private async Task<JsonElement> QuotaAsync(string period) =>
        (await api.ExecuteAsync(Callers.Admin(tenant), "query($period: String!) { dealer(id: \"D1\") { quota(period: $period) { target achieved } } }", new { period }))
            .Data("dealer", "quota");

    [Fact]
    public async Task An_admin_imports_finished_months_and_an_opening_stock_and_importing_again_changes_nothing()
    {
        await DealerAsync();
        var months = new[] { Month(2), Month(1, orderValue: 2_000m) };

        var first = await api.ExecuteAsync(Callers.Admin(tenant), Import, Input(months, openingStock: 25));
        var again = await api.ExecuteAsync(Callers.Admin(tenant), Import, Input(months));

        Assert.Null(first.ErrorCode());
        Assert.Equal(25, first.Data("importDealerHistory").GetProperty("inventory")[0].GetProperty("onHand").GetInt32());
        Assert.Null(again.ErrorCode());
        var quota = await QuotaAsync(MonthsAgo(1));
        Assert.Equal(1_500m, quota.GetProperty("target").GetDecimal());
        Assert.Equal(2_000m, quota.GetProperty("achieved").GetDecimal());
    }

    [Fact]
    public async Task The_current_month_or_a_malformed_one_is_refused_with_validation_and_changes_nothing()
    {
        await DealerAsync();

        foreach (var month in new[] { MonthsAgo(0), "2026-13", "last month" })
        {
            var refused = await api.ExecuteAsync(Callers.Admin(tenant), Import, Input([Month(1), Month(month)], openingStock: 25));
            Assert.Equal("VALIDATION", refused.ErrorCode());
        }
        Assert.Equal(0m, (await QuotaAsync(MonthsAgo(1))).GetProperty("target").GetDecimal());
        var dealer = await api.ExecuteAsync(Callers.Admin(tenant), "{ dealer(id: \"D1\") { inventory { sku } } }");
        Assert.Equal(0, dealer.Data("dealer").GetProperty("inventory").GetArrayLength());
    }

    [Fact]
    public async Task An_opening_stock_of_a_product_not_in_the_catalog_is_refused_with_not_found_and_changes_nothing()
    {
        await DealerAsync();

        var refused = await api.ExecuteAsync(Callers.Admin(tenant), Import, new
        {
            input = new { dealerId = "D1", months = new[] { Month(1) }, openingStock = new[] { new { sku = "TEA", quantity = 5 }, new { sku = "GHOST", quantity = 7 } } },
        });

        Assert.Equal("NOT_FOUND", refused.ErrorCode());
        var dealer = await api.ExecuteAsync(Callers.Admin(tenant), "{ dealer(id: \"D1\") { inventory { sku } } }");
        Assert.Equal(0, dealer.Data("dealer").GetProperty("inventory").GetArrayLength());
        Assert.Equal(0m, (await QuotaAsync(MonthsAgo(1))).GetProperty("target").GetDecimal());
    }

    [Fact]
    public async Task An_opening_stock_that_with_the_stock_of_an_earlier_one_goes_beyond_what_a_dealer_holds_is_refused_and_changes_nothing()
    {
        await DealerAsync();
        await fixture.Grains.GetGrain<IProductGrain>(Keys.Of(tenant, "COFFEE")).UpsertAsync(new ProductInfo("COFFEE", "Coffee", 10m, 8m));
        object Opening(string sku, int quantity) => new { input = new { dealerId = "D1", months = Array.Empty<object>(), openingStock = new[] { new { sku, quantity } } } };
        Assert.Null((await api.ExecuteAsync(Callers.Admin(tenant), Import, Opening("TEA", 60_000_000))).ErrorCode());

        var refused = await api.ExecuteAsync(Callers.Admin(tenant), Import, Opening("COFFEE", 60_000_000));

        Assert.Equal("VALIDATION", refused.ErrorCode());
        var inventory = (await api.ExecuteAsync(Callers.Admin(tenant), "{ dealer(id: \"D1\") { inventory { sku onHand } } }")).Data("dealer", "inventory");
        Assert.Equal([("TEA", 60_000_000)], inventory.EnumerateArray().Select(s => (s.GetProperty("sku").GetString(), s.GetProperty("onHand").GetInt32())));
        // Replacing the opening stock of the SKU it holds stays within the bound.
        Assert.Null((await api.ExecuteAsync(Callers.Admin(tenant), Import, Opening("TEA", 90_000_000))).ErrorCode());
    }

    [Fact]
    public async Task An_opening_stock_once_the_dealer_sold_live_is_refused_with_invalid_transition()
    {
        await DealerAsync();
        Assert.Null((await api.ExecuteAsync(Callers.Admin(tenant), Import, Input([], openingStock: 10))).ErrorCode());
        var sold = await api.ExecuteAsync(Callers.Admin(tenant), "mutation { reportSellOut(input: { requestId: \"S1\", dealerId: \"D1\", date: \"2026-11-20T10:00:00Z\", lines: [{ sku: \"TEA\", quantity: 4, amount: 60 }] }) { id } }");
        Assert.Null(sold.ErrorCode());

        var refused = await api.ExecuteAsync(Callers.Admin(tenant), Import, Input([], openingStock: 50));

        Assert.Equal("INVALID_TRANSITION", refused.ErrorCode());
        var dealer = await api.ExecuteAsync(Callers.Admin(tenant), "{ dealer(id: \"D1\") { inventory { onHand } } }");
        Assert.Equal(6, dealer.Data("dealer").GetProperty("inventory")[0].GetProperty("onHand").GetInt32());
    }

    [Fact]
    public async Task Only_an_admin_or_a_manager_of_the_dealer_region_imports_and_a_refusal_changes_nothing()
    {
        await DealerAsync();
        var input = Input([Month(1)]);

        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(Callers.Dealer(tenant, "D1"), Import, input)).ErrorCode());
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(Callers.Manager(tenant, "CN/North"), Import, input)).ErrorCode());
        Assert.Equal(0m, (await QuotaAsync(MonthsAgo(1))).GetProperty("target").GetDecimal());
        Assert.Null((await api.ExecuteAsync(Callers.Manager(tenant, "CN/East"), Import, input)).ErrorCode());
        Assert.Equal(1_500m, (await QuotaAsync(MonthsAgo(1))).GetProperty("target").GetDecimal());
        // Another tenant's admin does not find the dealer.
        Assert.Equal("NOT_FOUND", (await api.ExecuteAsync(Callers.Admin(TestTenant.New()), Import, input)).ErrorCode());
    }
}
