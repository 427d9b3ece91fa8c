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
        Assert.Equal((7L, 4L, 11), (Stock("TEA"), Stock("RICE"), state.Months["2026-11"].StockUnits));
        Assert.Equal((3L, 30m), (state.Months["2026-11"].Skus["TEA"].SellOutUnits, state.Months["2026-11"].Skus["TEA"].SellOutValue));

        long Stock(string sku) => state.Months["2026-11"].Skus[sku].StockUnits;
    }

    [Fact]
    public void Every_snapshot_after_a_change_is_the_one_taken_whole()
    {
        // Snapshots after the first of a month redo only the SKUs whose stock moved; this one checks each against the
        // month taken whole from the stock, through stock moves, SKUs a flow adds without stock, a region or tier
        // changed and the month turning.
        var random = new Random(20261207);
        string[] skus = ["A", "B", "C", "D", "E", "F"];
        var state = new DealerState { Info = new DealerInfo("D1", "D1", "CN/East", DealerTier.Value, DealerStatus.Admitted, 1_000_000m, skus) };
        var month = "2026-11";
        var inTransit = new List<string>();
        for (var step = 0; step < 3000; step++)
        {
            string Sku() => skus[random.Next(skus.Length)];
            switch (random.Next(7))
            {
                case 0 or 1:
                    DealerLedger.Ship(state, $"O{step}", [new SkuQuantity(Sku(), random.Next(1, 9)), new SkuQuantity(Sku(), random.Next(1, 9))]);
                    inTransit.Add($"O{step}");
                    break;
                case 2 when inTransit.Count > 0:
                    var received = inTransit[random.Next(inTransit.Count)];
                    inTransit.Remove(received);
                    DealerLedger.Receive(state, received);
                    break;
                case 3 when state.Inventory.Values.FirstOrDefault(l => l.OnHand > 0) is { } held:
                    DealerLedger.SellOut(state, new SellOutReport($"S{step}", "D1", new DateTime(2026, 11, 20), [new SellOutLine(held.Sku, random.Next(1, held.OnHand + 1), 1m, null)]));
                    break;
                case 4:
                    // A confirmed order adds its SKUs to the month, with no stock, when they are new there.
                    var sku = random.Next(4) == 0 ? $"N{step}" : Sku();
                    DealerLedger.CountSellIn(state, new OpenOrder(5m, month, true, DateTime.UtcNow, false, [new ChannelGrains.Ordering.OrderLine(sku, 1, 5m, null)]), sign: 1);
                    break;
                case 5 when random.Next(20) == 0:
                    state.Info = state.Info! with { Region = state.Info.Region == "CN/East" ? "CN/North" : "CN/East", Tier = (DealerTier)random.Next(3) };
                    break;
                case 6 when random.Next(200) == 0:
                    month = month == "2026-11" ? "2026-12" : "2027-01";
                    break;
            }
            DealerLedger.SnapshotCurrentMonth(state, month);

            var figures = state.Months[month];
            foreach (var level in state.Inventory.Values) Assert.Equal(level.OnHand + level.InTransit, figures.Skus[level.Sku].StockUnits);
            foreach (var (sku, f) in figures.Skus) Assert.Equal(state.Inventory.GetValueOrDefault(sku) is { } l ? l.OnHand + l.InTransit : 0, f.StockUnits);
            Assert.Equal(state.Inventory.Values.Sum(l => l.OnHand + l.InTransit), figures.StockUnits);
            Assert.Equal((state.Info!.Region, state.Info.Tier), (figures.Region, figures.Tier));
        }
    }

    [Fact]
    public void A_months_contribution_shares_its_lists_until_they_change_and_holds_them_as_they_are_now()
    {
        var state = new DealerState { Info = new DealerInfo("D1", "D1", "CN/East", DealerTier.Value, DealerStatus.Admitted, 1_000m, ["TEA", "RICE"]) };
        DealerLedger.Ship(state, "O1", [new SkuQuantity("TEA", 10), new SkuQuantity("RICE", 4)]);
        DealerLedger.Receive(state, "O1");
        DealerLedger.SnapshotCurrentMonth(state, "2026-11");
        var first = DealerLedger.Contribution(state, "t1", "dealer:D1", "2026-11");

        // Nothing changed: the very same lists (a quota write publishes the month again).
        state.Version++;
        var again = DealerLedger.Contribution(state, "t1", "dealer:D1", "2026-11");
        Assert.Same(first.Skus, again.Skus);
        Assert.Same(first.Weeks, again.Weeks);

        // A sell-out changes both: new lists with the new figures; the first contribution's lists stay as they were.
        DealerLedger.SellOut(state, new SellOutReport("S1", "D1", new DateTime(2026, 11, 20), [new SellOutLine("TEA", 3, 30m, null)]));
        DealerLedger.SnapshotCurrentMonth(state, "2026-11");
        var sold = DealerLedger.Contribution(state, "t1", "dealer:D1", "2026-11");
        Assert.NotSame(first.Skus, sold.Skus);
        Assert.Equal((10, 7), (first.Skus.Single(s => s.Sku == "TEA").StockUnits, sold.Skus.Single(s => s.Sku == "TEA").StockUnits));
        Assert.Equal([], first.Weeks!);
        Assert.Equal([new ChannelGrains.Analytics.WeeklySellOut("TEA", "2026-W47", 3)], sold.Weeks!);

        // A stock move alone changes the SKUs, not the weeks.
        DealerLedger.Ship(state, "O2", [new SkuQuantity("RICE", 1)]);
        DealerLedger.SnapshotCurrentMonth(state, "2026-11");
        var shipped = DealerLedger.Contribution(state, "t1", "dealer:D1", "2026-11");
        Assert.NotSame(sold.Skus, shipped.Skus);
        Assert.Same(sold.Weeks, shipped.Weeks);
        Assert.Equal(5, shipped.Skus.Single(s => s.Sku == "RICE").StockUnits);
    }

    [Fact]
    public void A_months_lists_are_checked_when_taken_so_a_malformed_entry_is_never_published()
    {
        var month = new DealerMonth();
        month.Skus["P/1"] = ChannelGrains.Analytics.SkuFigures.Empty("P/1");
        Assert.Throws<ArgumentException>(() => month.CheckedSkus());

        month.Weeks[ChannelGrains.Analytics.WeeklySellOut.KeyOf("P1", "2026-W47")] = new ChannelGrains.Analytics.WeeklySellOut("P1", "2026-W47", 1);
        Assert.Single(month.CheckedWeeks("2026-11"));
        Assert.Throws<ArgumentException>(() => month.CheckedWeeks("2026-12")); // the lists taken for November are no answer for December
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
