using ChannelGrains.Analytics;
using ChannelGrains.Common;
using ChannelGrains.Partners;

namespace ChannelGrains.Tests.Partners;

public sealed class DealerHistoryRulesTests
{
    private static readonly Period November = Period.Parse("2026-11");

    private static HistoricMonth Month(string month, IReadOnlyList<WeeklySellOut>? weeks = null, params HistoricSku[] skus) =>
        new(month, 1, skus.Length == 0 ? [new HistoricSku("TEA", 1, 10m, 1, 12m, 0)] : skus, 100m, weeks);

    [Theory]
    [InlineData("2026-11")]
    [InlineData("2026-12")]
    public void Months_from_the_current_one_on_are_refused(string month)
    {
        var refused = Assert.Throws<ChannelException>(() => DealerHistoryRules.Validated(new DealerHistoryImport([Month(month)]), November));

        Assert.Equal(ErrorCodes.Validation, refused.Code);
        Assert.Contains("current month is live", refused.Message);
    }

    [Fact]
    public void A_month_twice_a_sku_twice_or_a_week_outside_its_month_is_refused()
    {
        Assert.Throws<ChannelException>(() => DealerHistoryRules.Validated(new DealerHistoryImport([Month("2026-09"), Month("2026-09")]), November));
        Assert.Throws<ChannelException>(() => DealerHistoryRules.Validated(new DealerHistoryImport(
            [Month("2026-09", null, new HistoricSku("TEA", 1, 1m, 1, 1m, 1), new HistoricSku("TEA", 2, 2m, 2, 2m, 2))]), November));
        Assert.Throws<ChannelException>(() => DealerHistoryRules.Validated(new DealerHistoryImport(
            [Month("2026-09", [new WeeklySellOut("TEA", "2026-W45", 3)])]), November));
        Assert.Throws<ChannelException>(() => DealerHistoryRules.Validated(new DealerHistoryImport(
            [Month("2026-09")], [new SkuQuantity("TEA", -1)]), November));
    }

    public static TheoryData<string, DealerHistoryImport> Beyond_the_unit_bound => new()
    {
        { "openingStock.quantity", new([], [new SkuQuantity("TEA", 2_147_483_640)]) },
        { "openingStock's total", new([], [new SkuQuantity("TEA", 60_000_000), new SkuQuantity("COFFEE", 60_000_000)]) },
        { "orderCount", new([new HistoricMonth("2026-09", 1_000_000_000, [], 0m)]) },
        { "endStockUnits", new([Month("2026-09", null, new HistoricSku("TEA", 0, 0m, 0, 0m, 2_000_000_000))]) },
        { "2026-09's endStockUnits in all", new([Month("2026-09", null, new HistoricSku("TEA", 0, 0m, 0, 0m, 60_000_000), new HistoricSku("COFFEE", 0, 0m, 0, 0m, 60_000_000))]) },
        { "2026-09's orderUnits in all", new([Month("2026-09", null, new HistoricSku("TEA", 60_000_000, 0m, 0, 0m, 0), new HistoricSku("COFFEE", 60_000_000, 0m, 0, 0m, 0))]) },
        { "2026-09's weekly units in all", new([Month("2026-09", [new WeeklySellOut("TEA", "2026-W37", 60_000_000), new WeeklySellOut("TEA", "2026-W38", 60_000_000)])]) },
    };

    /// <summary>A dealer's stock and a month's figures stay within bounds its year of figures and the aggregates can add (rules 5, 17).</summary>
    [Theory]
    [MemberData(nameof(Beyond_the_unit_bound))]
    public void Units_beyond_the_bound_one_by_one_or_in_all_are_refused(string field, DealerHistoryImport import)
    {
        var refused = Assert.Throws<ChannelException>(() => DealerHistoryRules.Validated(import, November));

        Assert.Equal(ErrorCodes.Validation, refused.Code);
        Assert.StartsWith(field, refused.Message);
    }

    [Fact]
    public void An_import_of_more_than_20000_sku_and_weekly_rows_in_all_is_refused()
    {
        HistoricMonth Wide(string month, int skus) =>
            Month(month, null, [.. Enumerable.Range(0, skus).Select(i => new HistoricSku($"S{i}", 1, 1m, 1, 1m, 0))]);
        var months = Enumerable.Range(1, 10).Select(m => $"2026-{m:00}").ToArray();

        DealerHistoryRules.Validated(new DealerHistoryImport([.. months.Select(m => Wide(m, 2_000))]), November);
        var refused = Assert.Throws<ChannelException>(() => DealerHistoryRules.Validated(
            new DealerHistoryImport([.. months.Select(m => Wide(m, 2_000)), Wide("2025-12", 1)]), November));
        Assert.Equal(ErrorCodes.Validation, refused.Code);
    }

    [Fact]
    public void Apply_replaces_the_months_and_sums_their_skus()
    {
        var state = new DealerState { Info = new DealerInfo("D1", "D1", "CN/East", DealerTier.Value, DealerStatus.Admitted, 100m, []) };
        var september = Month("2026-09", [new WeeklySellOut("TEA", "2026-W38", 3)], new HistoricSku("TEA", 10, 100m, 8, 120m, 5), new HistoricSku("RICE", 2, 30m, 1, 20m, 7));

        DealerHistoryRules.Apply(state, new DealerHistoryImport([Month("2026-09")]));
        var changed = DealerHistoryRules.Apply(state, new DealerHistoryImport([september]));

        Assert.Equal(["2026-09"], changed);
        var figures = state.Months["2026-09"];
        Assert.Equal((130m, 140m, 12), (figures.OrderValue, figures.SellOutValue, figures.StockUnits));
        Assert.Equal(3, figures.Weeks["TEA|2026-W38"].Units);
        Assert.Equal(100m, state.Quotas!["2026-09"]);
    }
}
