using ChannelGrains.Partners;

namespace ChannelGrains.Tests.Partners;

public sealed class DealerLedgerTests
{
    [Fact]
    public void The_current_month_snapshot_follows_every_sku_stock_and_keeps_its_flows()
    {
        var state = new DealerState { Info = new DealerInfo("D1", "D1", "CN/East", DealerTier.Value, DealerStatus.Admitted, 1_000m, ["TEA", "RICE"]) };
        DealerLedger.Ship(state, "O1", [new SkuQuantity("TEA", 10), new SkuQuantity("RICE", 4)]);
        DealerLedger.SnapshotCurrentMonth(state, "2026-11");
        Assert.Equal((10, 4, 14), (Stock("TEA"), Stock("RICE"), state.Months["2026-11"].StockUnits));

        DealerLedger.Receive(state, "O1");
        DealerLedger.SellOut(state, new SellOutReport("S1", "D1", new DateTime(2026, 11, 20), [new SellOutLine("TEA", 3, 30m, null)]));
        DealerLedger.SnapshotCurrentMonth(state, "2026-11");
        Assert.Equal((7, 4, 11), (Stock("TEA"), Stock("RICE"), state.Months["2026-11"].StockUnits));
        Assert.Equal((3, 30m), (state.Months["2026-11"].Skus["TEA"].SellOutUnits, state.Months["2026-11"].Skus["TEA"].SellOutValue));

        int Stock(string sku) => state.Months["2026-11"].Skus[sku].StockUnits;
    }

    [Fact]
    public void Months_archived_are_the_closed_ones_before_the_held_window_that_neither_this_write_nor_the_heal_still_holds()
    {
        var state = new DealerState { Info = new DealerInfo("D1", "D1", "CN/East", DealerTier.Value, DealerStatus.Admitted, 1_000m, ["TEA"]) };
        foreach (var month in new[] { "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2027-06" }) DealerLedger.Month(state, month);
        var firstHeld = DealerMonthArchive.FirstHeld("2026-03", closedMonthsHeld: 3);

        Assert.Equal("2025-12", firstHeld);
        Assert.Equal(["2025-10"], DealerMonthArchive.ToArchive(state, firstHeld, ["2026-03", "2025-11"], m => false));
        Assert.Equal(["2025-11"], DealerMonthArchive.ToArchive(state, firstHeld, ["2026-03"], m => m == "2025-10"));
        Assert.Equal("2026-03", DealerMonthArchive.FirstHeld("2026-03", closedMonthsHeld: 0));
        Assert.Equal("2025-04", DealerMonthArchive.FirstHeld("2026-03", closedMonthsHeld: 11));
        Assert.Equal("2025-12", DealerMonthArchive.FirstHeld("2026-03", closedMonthsHeld: 3));
    }

    [Fact]
    public void An_archived_month_is_never_started_again_empty_and_comes_back_with_its_figures_and_quota()
    {
        var state = new DealerState { Info = new DealerInfo("D1", "D1", "CN/East", DealerTier.Value, DealerStatus.Admitted, 1_000m, ["TEA"]) };
        DealerLedger.Month(state, "2025-10").OrderValue = 400m;
        state.Quotas = new() { ["2025-10"] = 900m };
        var archived = DealerMonthArchive.Entries(state, ["2025-10"]);
        DealerMonthArchive.MarkArchived(state, ["2025-10"]);

        Assert.Empty(state.Months);
        Assert.Null(state.Quotas);
        Assert.Throws<InvalidOperationException>(() => DealerLedger.Month(state, "2025-10"));
        Assert.Equal(new QuotaProgress("D1", "2025-Q4", 900m, 400m), DealerLedger.Quota(state, "D1", "2025-Q4", archived));

        DealerMonthArchive.Restore(state, archived);
        Assert.Null(state.ArchivedMonths);
        Assert.Equal(400m, DealerLedger.Month(state, "2025-10").OrderValue);
        Assert.Equal(new QuotaProgress("D1", "2025-Q4", 900m, 400m), DealerLedger.Quota(state, "D1", "2025-Q4"));
    }

    [Fact]
    public void A_recently_archived_month_is_named_until_the_heal_is_done_with_it_also_when_every_write_archives_another()
    {
        var state = new DealerState();
        var due = new HashSet<string>();

        DealerMonthArchive.TrackRecent(state, ["2025-01"], due.Contains);
        due.Add("2025-01");
        DealerMonthArchive.TrackRecent(state, ["2025-02"], due.Contains);
        Assert.Equal(["2025-01", "2025-02"], state.RecentlyArchived!.Order(StringComparer.Ordinal));

        due.Remove("2025-01");
        due.Add("2025-02");
        DealerMonthArchive.TrackRecent(state, ["2025-03"], due.Contains);
        Assert.Equal(["2025-02", "2025-03"], state.RecentlyArchived!.Order(StringComparer.Ordinal));

        due.Clear();
        DealerMonthArchive.TrackRecent(state, null, due.Contains);
        Assert.Null(state.RecentlyArchived);
    }
}
