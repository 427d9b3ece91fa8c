using System.Globalization;
using System.Text.Json;
using ChannelGrains.Api.Schema;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;
using Orleans.Storage;
using static ChannelGrains.Tests.Ordering.OrderingScenario;

namespace ChannelGrains.Tests.Ordering;

[Collection(ClusterCollection.Name)]
public sealed class SellOutAndQuotaTests : IDisposable
{
    private readonly InProcessGraphQL api;
    private readonly OrderingScenario channel;
    private readonly IGrainFactory grains;
    private readonly ClusterFixture fixture;

    public SellOutAndQuotaTests(ClusterFixture fixture)
    {
        this.fixture = fixture;
        grains = fixture.Grains;
        api = new(fixture.Grains, fixture.Cluster.Client);
        channel = new(api, TestTenant.New());
    }

    private const string SellOut = "mutation($input: SellOutInput!) { reportSellOut(input: $input) { inventory { sku onHand } } }";

    private static object Report(string requestId, params object[] lines) => new { input = new { requestId, dealerId = "D", date = "2026-11-20T10:00:00Z", lines } };

    private static object Sold(string sku, int quantity, decimal amount, string? storeId = null) => new { sku, quantity, amount, storeId };

    /// <summary>A dealer D holding <paramref name="units"/> of P1 on hand.</summary>
    private async Task DealerHoldingAsync(int units)
    {
        await channel.ProductAsync("P1", onHand: 10_000);
        await channel.DealersAsync(["D"], ["P1"]);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", units)));
        Ok(await channel.MoveAsync("shipOrder", "R1"));
        Ok(await channel.MoveAsync("receiveOrder", "R1"));
    }

    /// <summary>A dealer holding 10 of P1 and 5 of P2 on hand.</summary>
    private async Task StockedDealerAsync()
    {
        await channel.ProductAsync("P1", onHand: 100);
        await channel.ProductAsync("P2", onHand: 100);
        await channel.DealersAsync(["D"], ["P1", "P2"]);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 10), Line("P2", 5)));
        Ok(await channel.MoveAsync("shipOrder", "R1"));
        Ok(await channel.MoveAsync("receiveOrder", "R1"));
    }

    [Fact]
    public async Task Sell_out_reduces_dealer_stock_and_is_applied_once_per_request()
    {
        await StockedDealerAsync();

        var first = await api.ExecuteAsync(channel.Admin, SellOut, Report("S1", Sold("P1", 4, 60m)));
        var retry = await api.ExecuteAsync(channel.Admin, SellOut, Report("S1", Sold("P1", 4, 60m)));

        Ok(first);
        Assert.Equal(first.ToString(), retry.ToString());
        Assert.Equal((6, 0), Stock(await channel.DealerOf("D"), "P1"));

        // The same amount written with trailing zeros is the same report; any other report under S1 is refused.
        var sameAmount = await api.ExecuteAsync(channel.Admin, SellOut, Report("S1", Sold("P1", 4, 60.00m)));
        var other = await api.ExecuteAsync(channel.Admin, SellOut, Report("S1", Sold("P1", 3, 60m)));
        Assert.Equal(first.ToString(), sameAmount.ToString());
        Assert.Equal("VALIDATION", other.ErrorCode());
        Assert.Equal((6, 0), Stock(await channel.DealerOf("D"), "P1"));
    }

    [Fact]
    public async Task A_dealer_with_two_years_of_reports_holds_at_most_256_receipts_applies_every_retry_once_and_refuses_a_reused_id_under_any_month()
    {
        await DealerHoldingAsync(500);
        var dealerKey = Keys.Of(channel.Tenant, "D");
        var dealer = grains.GetGrain<IDealerGrain>(dealerKey);
        var start = new DateTime(2024, 1, 1, 9, 0, 0, DateTimeKind.Utc);
        var reports = Enumerable.Range(0, 24 * 12).Select(i => new SellOutReport($"S{i}", "D", start.AddMonths(i / 12).AddDays(2 * (i % 12)), [new SellOutLine("P1", 1, 15m, null)])).ToArray();

        foreach (var report in reports) await dealer.ReportSellOutAsync(report);

        // The 257th report moved the 256 before it into their months' archives (21 months and 4 reports of the 22nd).
        var stored = await StoredDealerAsync(dealer);
        Assert.Equal(reports.Length - DealerReceipts.ArchiveAt, stored.ReceiptsByMonth!.Values.Sum(r => r.Count));
        Assert.Equal(Enumerable.Range(0, 22).Select(m => start.AddMonths(m).ToString("yyyy-MM", CultureInfo.InvariantCulture)), stored.ReceiptFilters!.Keys.Order(StringComparer.Ordinal));
        var archived = await grains.GetGrain<IDealerReceiptArchiveGrain>(DealerReceipts.ArchiveKey(dealerKey, "2024-01")).FindAsync("S0");
        Assert.Equal(reports[0].Digest(), archived!.Digest);

        // Every retry, archived or held, is applied once; a requestId used again for another report is refused, also
        // under another month than its own (S5 was filed under 2024-01, and archived).
        foreach (var report in reports) await dealer.ReportSellOutAsync(report);
        Assert.Equal((500 - reports.Length, 0), Stock(await channel.DealerOf("D"), "P1"));
        foreach (var reused in new[] { reports[5] with { Lines = [new SellOutLine("P1", 2, 30m, null)] }, reports[5] with { Date = start.AddMonths(23) }, reports[^1] with { Date = start } })
        {
            var refused = await Assert.ThrowsAsync<ChannelException>(() => dealer.ReportSellOutAsync(reused));
            Assert.Equal(ErrorCodes.Validation, refused.Code);
        }

        // A late report for an archived month is applied once.
        var late = new SellOutReport("LATE", "D", start.AddDays(25), [new SellOutLine("P1", 1, 15m, null)]);
        await dealer.ReportSellOutAsync(late);
        await dealer.ReportSellOutAsync(late);
        Assert.Equal((500 - reports.Length - 1, 0), Stock(await channel.DealerOf("D"), "P1"));
    }

    [Fact]
    public async Task A_report_whose_dealer_write_fails_after_archiving_is_applied_once_by_its_retry_and_archived_receipts_still_count()
    {
        await DealerHoldingAsync(300);
        var dealerKey = Keys.Of(channel.Tenant, "D");
        var dealer = grains.GetGrain<IDealerGrain>(dealerKey);
        var held = Enumerable.Range(0, DealerReceipts.ArchiveAt).Select(i => new SellOutReport($"N{i}", "D", new DateTime(2025, 3, 1 + i % 28, 0, 0, 0, DateTimeKind.Utc), [new SellOutLine("P1", 1, 15m, null)])).ToArray();
        foreach (var report in held) await dealer.ReportSellOutAsync(report);

        // Another writer bumps the stored dealer's version: the next report archives the 256 receipts, then its own
        // write fails, as if the dealer had died between the two.
        var row = new GrainState<DealerState>();
        await Storage().ReadStateAsync("dealer", dealer.GetGrainId(), row);
        await Storage().WriteStateAsync("dealer", dealer.GetGrainId(), row);
        var next = new SellOutReport("NEXT", "D", DateTime.UtcNow, [new SellOutLine("P1", 1, 15m, null)]);
        await Assert.ThrowsAnyAsync<Exception>(() => dealer.ReportSellOutAsync(next));
        Assert.NotNull(await grains.GetGrain<IDealerReceiptArchiveGrain>(DealerReceipts.ArchiveKey(dealerKey, "2025-03")).FindAsync("N0"));
        Assert.Null((await StoredDealerAsync(dealer)).ReceiptFilters);

        // The retry is applied once, archiving again (a merge); every earlier report stays applied once.
        await dealer.ReportSellOutAsync(next);
        foreach (var report in held.Append(next)) await dealer.ReportSellOutAsync(report);
        Assert.Equal((300 - DealerReceipts.ArchiveAt - 1, 0), Stock(await channel.DealerOf("D"), "P1"));
        var stored = await StoredDealerAsync(dealer);
        Assert.Equal(["2025-03"], stored.ReceiptFilters!.Keys);
        Assert.Equal(1, stored.ReceiptsByMonth!.Values.Sum(r => r.Count));

        // An archive given another report under a requestId it holds keeps the first; its filter covers all it holds.
        var archive = grains.GetGrain<IDealerReceiptArchiveGrain>(DealerReceipts.ArchiveKey(dealerKey, "2025-03"));
        var filter = await archive.AddAsync(new() { ["N0"] = new SellOutReceipt(new ReportDigest(1, 2), null), ["LATER"] = new SellOutReceipt(new ReportDigest(3, 4), null) });
        Assert.Equal(held[0].Digest(), (await archive.FindAsync("N0"))!.Digest);
        Assert.True(ReceiptFilter.MayContain(filter, ReceiptFilter.Hash("N0")) && ReceiptFilter.MayContain(filter, ReceiptFilter.Hash("LATER")));
    }

    [Fact]
    public async Task Receipts_kept_by_an_earlier_version_move_into_the_legacy_archive_with_their_alerts_and_still_answer_retries()
    {
        await channel.ProductAsync("P1", onHand: 100);
        var dealerKey = Keys.Of(channel.Tenant, "L");
        var dealer = grains.GetGrain<IDealerGrain>(dealerKey);
        var legacy = new SellOutReport("L1", "L", new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc), [new SellOutLine("P1", 2, 30m, "ST9")]);
        var alert = new CrossRegionAlert("L", "CN/East/Shanghai", "ST9", "CN/North", "P1", 2, legacy.Date, "L1");
        // A dealer as an earlier version stored it, never activated since.
        var earlier = new DealerState
        {
            Info = new DealerInfo("L", "L", "CN/East/Shanghai", DealerTier.Value, DealerStatus.Admitted, 1_000m, ["P1"]),
            SellOutReceipts = new(StringComparer.Ordinal) { ["L1"] = legacy.Digest() },
            Alerts = [alert],
        };
        earlier.Inventory["P1"] = new StockLevel("P1", 10, 0);
        await Storage().WriteStateAsync("dealer", dealer.GetGrainId(), new GrainState<DealerState>(earlier));

        await dealer.ReportSellOutAsync(legacy);
        Assert.Equal([alert], await grains.GetGrain<ICrossRegionAlertLogGrain>(channel.Tenant).ListAsync(null, 10));
        await dealer.ReportSellOutAsync(new SellOutReport("L2", "L", DateTime.UtcNow, [new SellOutLine("P1", 1, 15m, null)]));
        var stored = await StoredDealerAsync(dealer);
        Assert.Null(stored.SellOutReceipts);
        Assert.Null(stored.Alerts);
        Assert.Equal([DealerReceipts.Legacy], stored.ReceiptFilters!.Keys);

        await dealer.ReportSellOutAsync(legacy);
        Assert.Equal(9, (await dealer.GetAsync())!.Inventory.Single().OnHand);
        var refused = await Assert.ThrowsAsync<ChannelException>(() => dealer.ReportSellOutAsync(legacy with { Date = DateTime.UtcNow }));
        Assert.Equal(ErrorCodes.Validation, refused.Code);
        Assert.Equal(alert, (await grains.GetGrain<IDealerReceiptArchiveGrain>(DealerReceipts.ArchiveKey(dealerKey, DealerReceipts.Legacy)).FindAsync("L1"))!.Alerts!.Single());
    }

    [Fact]
    public void A_receipt_filter_never_misses_an_id_it_holds_and_rarely_claims_one_it_does_not()
    {
        var held = Enumerable.Range(0, 10_000).Select(i => $"dealer-7-{i}").ToArray();
        var filter = ReceiptFilter.Build(held);

        Assert.All(held, id => Assert.True(ReceiptFilter.MayContain(filter, ReceiptFilter.Hash(id))));
        var falseMaybes = Enumerable.Range(0, 100_000).Count(i => ReceiptFilter.MayContain(filter, ReceiptFilter.Hash($"other-{i}")));
        Assert.InRange(falseMaybes, 0, 300); // 0.1 % expected
        // Small filters too: 1 to 64 ids, 2,000 strangers each.
        var small = Enumerable.Range(1, 64).Sum(n =>
        {
            var ids = Enumerable.Range(0, n).Select(i => $"S{n}-{i}").ToArray();
            var few = ReceiptFilter.Build(ids);
            Assert.All(ids, id => Assert.True(ReceiptFilter.MayContain(few, ReceiptFilter.Hash(id))));
            return Enumerable.Range(0, 2_000).Count(i => ReceiptFilter.MayContain(few, ReceiptFilter.Hash($"x{n}-{i}")));
        });
        Assert.InRange(small, 0, 64 * 2_000 * 3 / 1_000); // at most 0.3 %
        // Filters are stored: the hash is the same in every process and version.
        Assert.Equal(0xB65316D6082C20E8UL, ReceiptFilter.Hash("S1"));
    }

    [Fact]
    public void Receipts_are_archived_all_at_once_when_the_state_holds_256()
    {
        var state = new DealerState();
        for (var i = 0; i < DealerReceipts.ArchiveAt - 1; i++)
            DealerReceipts.Add(state, i % 3 == 0 ? "2024-02" : "2026-11", $"S{i}", new SellOutReceipt(new ReportDigest(0, 1), null));
        Assert.Empty(DealerReceipts.ToArchive(state));
        DealerReceipts.Add(state, "2025-01", "last", new SellOutReceipt(new ReportDigest(0, 1), null));
        Assert.Equal(["2024-02", "2025-01", "2026-11"], DealerReceipts.ToArchive(state).Order(StringComparer.Ordinal));
    }

    /// <summary>The dealer's state as its storage holds it.</summary>
    private Task<DealerState> StoredDealerAsync(IDealerGrain dealer) => StoredDealer.ReadAsync(Storage(), dealer);

    private IGrainStorage Storage() => fixture.ChannelStorage;

    [Theory]
    [InlineData("0.00001")]
    [InlineData("10000000000000")]
    public async Task Sell_out_with_an_amount_the_aggregates_could_not_sum_exactly_is_refused_and_changes_nothing(string amount)
    {
        await StockedDealerAsync();

        var refused = await api.ExecuteAsync(channel.Admin, SellOut, Report("S1", Sold("P1", 4, decimal.Parse(amount))));

        Assert.Equal("VALIDATION", refused.ErrorCode());
        Assert.Equal((10, 0), Stock(await channel.DealerOf("D"), "P1"));
    }

    /// <summary>Found by a bad-input pass: a report dated 1900 took the stock and then failed, and its retry succeeded.</summary>
    [Theory]
    [InlineData("1900-01-01T00:00:00Z")]
    [InlineData("9999-12-31T00:00:00Z")]
    [InlineData("next week")]
    public async Task Sell_out_dated_outside_the_channels_years_or_ahead_of_today_is_refused_and_changes_nothing(string date)
    {
        await StockedDealerAsync();
        if (date == "next week") date = DateTime.UtcNow.AddDays(7).ToString("o", CultureInfo.InvariantCulture);
        var report = new { input = new { requestId = "S1", dealerId = "D", date, lines = new[] { Sold("P1", 1, 15m) } } };

        var refused = await api.ExecuteAsync(channel.Admin, SellOut, report);
        var retried = await api.ExecuteAsync(channel.Admin, SellOut, report);

        Assert.Equal(("VALIDATION", "VALIDATION"), (refused.ErrorCode(), retried.ErrorCode()));
        Assert.StartsWith("date ", refused.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((10, 0), Stock(await channel.DealerOf("D"), "P1"));
        Ok(await api.ExecuteAsync(channel.Admin, SellOut, Report("S1", Sold("P1", 1, 15m)))); // the requestId was never used
        Assert.Equal((9, 0), Stock(await channel.DealerOf("D"), "P1"));
    }

    [Fact]
    public async Task Sell_out_that_would_make_any_stock_negative_is_refused_whole()
    {
        await StockedDealerAsync();

        var refused = await api.ExecuteAsync(channel.Admin, SellOut, Report("S1", Sold("P1", 3, 45m), Sold("P2", 6, 90m)));

        Assert.Equal("INSUFFICIENT_STOCK", refused.ErrorCode());
        var dealer = await channel.DealerOf("D");
        Assert.Equal((10, 0), Stock(dealer, "P1"));
        Assert.Equal((5, 0), Stock(dealer, "P2"));
    }

    /// <summary>Rule 5: only received stock is on hand; what is still in transit cannot be sold, and on hand never goes below zero.</summary>
    [Fact]
    public async Task Sell_out_of_stock_still_in_transit_is_refused_and_changes_nothing()
    {
        await StockedDealerAsync();
        Ok(await channel.PlaceAsync("R2", "D", Line("P1", 4)));
        Ok(await channel.MoveAsync("shipOrder", "R2"));
        Assert.Equal((10, 4), Stock(await channel.DealerOf("D"), "P1"));

        var beyondOnHand = await api.ExecuteAsync(channel.Admin, SellOut, Report("S1", Sold("P1", 11, 165m)));
        var allOnHand = await api.ExecuteAsync(channel.Admin, SellOut, Report("S2", Sold("P1", 10, 150m)));
        var onlyInTransit = await api.ExecuteAsync(channel.Admin, SellOut, Report("S3", Sold("P1", 1, 15m)));

        Assert.Equal("INSUFFICIENT_STOCK", beyondOnHand.ErrorCode());
        Ok(allOnHand);
        Assert.Equal("INSUFFICIENT_STOCK", onlyInTransit.ErrorCode());
        Assert.Equal((0, 4), Stock(await channel.DealerOf("D"), "P1"));
    }

    [Fact]
    public async Task Sell_out_lines_of_one_sku_whose_units_add_up_beyond_an_int_are_refused_with_insufficient_stock_and_change_nothing()
    {
        await StockedDealerAsync();

        var refused = await api.ExecuteAsync(channel.Admin, SellOut, Report("S1", Sold("P1", int.MaxValue, 1m), Sold("P1", int.MaxValue, 1m)));

        Assert.Equal("INSUFFICIENT_STOCK", refused.ErrorCode());
        Assert.Equal((10, 0), Stock(await channel.DealerOf("D"), "P1"));
    }

    [Fact]
    public async Task Sale_to_a_store_outside_the_dealer_region_is_accepted_and_raises_an_alert()
    {
        await StockedDealerAsync();
        const string store = "mutation($input: StoreInput!) { upsertStore(input: $input) { id } }";
        Ok(await api.ExecuteAsync(channel.Admin, store, new { input = new { id = "IN", name = "Local", region = "CN/East/Shanghai" } }));
        Ok(await api.ExecuteAsync(channel.Admin, store, new { input = new { id = "OUT", name = "Far", region = "CN/North/Beijing" } }));

        Ok(await api.ExecuteAsync(channel.Admin, SellOut, Report("S1", Sold("P1", 1, 15m, "IN"), Sold("P2", 2, 30m, "OUT"))));

        var alerts = (await api.ExecuteAsync(Callers.Manager(channel.Tenant, "CN/East"), "{ crossRegionAlerts { dealerId storeId storeRegion sku quantity } }"))
            .Data("crossRegionAlerts");
        var alert = Assert.Single(alerts.EnumerateArray());
        Assert.Equal("OUT", alert.GetProperty("storeId").GetString());
        Assert.Equal("CN/North/Beijing", alert.GetProperty("storeRegion").GetString());
        Assert.Equal(2, alert.GetProperty("quantity").GetInt32());
        Assert.Equal(0, (await api.ExecuteAsync(Callers.Manager(channel.Tenant, "CN/North"), "{ crossRegionAlerts { sku } }")).Data("crossRegionAlerts").GetArrayLength());
    }

    [Fact]
    public async Task Sell_out_to_an_unknown_store_is_refused_with_validation()
    {
        await StockedDealerAsync();

        var refused = await api.ExecuteAsync(channel.Admin, SellOut, Report("S1", Sold("P1", 1, 15m, "nowhere")));

        Assert.Equal("VALIDATION", refused.ErrorCode());
        Assert.Equal((10, 0), Stock(await channel.DealerOf("D"), "P1"));
    }

    [Fact]
    public async Task Quota_is_achieved_by_confirmed_sell_in_and_a_quarter_adds_up_its_months()
    {
        await channel.ProductAsync("P1", onHand: 1000);
        await channel.DealersAsync(["D"], ["P1"]);
        var month = DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var quarter = $"{DateTime.UtcNow.Year}-Q{(DateTime.UtcNow.Month - 1) / 3 + 1}";
        var otherMonthOfQuarter = DateTime.UtcNow.Month % 3 == 1 ? DateTime.UtcNow.AddMonths(1) : DateTime.UtcNow.AddMonths(-1);
        Ok(await SetQuotaAsync(month, 1000m));
        Ok(await SetQuotaAsync(otherMonthOfQuarter.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), 500m));
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 30)));
        Ok(await channel.PlaceAsync("R2", "D", Line("P1", 20)));
        Ok(await channel.MoveAsync("cancelOrder", "R2"));

        var monthly = await QuotaAsync(month);
        var quarterly = await QuotaAsync(quarter);

        Assert.Equal(1000m, monthly.GetProperty("target").GetDecimal());
        Assert.Equal(300m, monthly.GetProperty("achieved").GetDecimal());
        Assert.Equal(0.3, monthly.GetProperty("ratio").GetDouble(), 6);
        Assert.Equal(1500m, quarterly.GetProperty("target").GetDecimal());
        Assert.Equal(300m, quarterly.GetProperty("achieved").GetDecimal());
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-Q4")]
    [InlineData("26-11")]
    public async Task Quota_is_set_for_a_month_only(string period)
    {
        await channel.DealersAsync(["D"], []);

        Assert.Equal("VALIDATION", (await SetQuotaAsync(period, 10m)).ErrorCode());
    }

    [Fact]
    public async Task Dealer_orders_page_in_the_order_they_were_placed()
    {
        await channel.ProductAsync("P1", onHand: 100);
        await channel.DealersAsync(["D"], ["P1"]);
        for (var i = 0; i < 7; i++) Ok(await channel.PlaceAsync($"R{i}", "D", Line("P1", 1)));

        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = (await api.ExecuteAsync(channel.Admin, "query($after: String) { dealer(id: \"D\") { orders(first: 3, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } }", new { after }))
                .Data("dealer", "orders");
            seen.AddRange(page.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()!));
            after = page.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean() ? page.GetProperty("pageInfo").GetProperty("endCursor").GetString() : null;
        } while (after is not null);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"R{i}"), seen);
    }

    [Fact]
    public async Task Paging_one_order_at_a_time_passes_over_refused_orders_to_the_last()
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"]);
        Ok(await channel.PlaceAsync("R0", "D", Line("P1", 1)));
        Assert.Equal("INSUFFICIENT_STOCK", (await channel.PlaceAsync("R1", "D", Line("P1", 100))).ErrorCode());
        Assert.Equal("INSUFFICIENT_STOCK", (await channel.PlaceAsync("R2", "D", Line("P1", 100))).ErrorCode());
        Ok(await channel.PlaceAsync("R3", "D", Line("P1", 1)));

        var seen = new List<string>();
        string? after = null;
        for (var pages = 0; pages < 10; pages++)
        {
            var page = (await api.ExecuteAsync(channel.Admin, "query($after: String) { dealer(id: \"D\") { orders(first: 1, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } }", new { after }))
                .Data("dealer", "orders");
            seen.AddRange(page.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()!));
            if (!page.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean()) break;
            // A page whose orders were all refused still says where the next one starts.
            after = page.GetProperty("pageInfo").GetProperty("endCursor").GetString() ?? throw new Xunit.Sdk.XunitException($"No endCursor after {string.Join(", ", seen)} while hasNextPage: {page}");
        }

        Assert.Equal(["R0", "R3"], seen);
    }

    [Fact]
    public async Task A_dealer_with_pages_of_orders_lists_every_order_once_in_the_order_placed_and_keeps_only_its_newest_page()
    {
        const int count = 2 * DealerOrderPages.PageSize + 40;
        await channel.ProductAsync("P1", onHand: 10_000);
        await channel.DealersAsync(["D"], ["P1"]);
        for (var i = 0; i < count; i++) Ok(await channel.PlaceAsync($"R{i}", "D", Line("P1", 1)));
        var placed = Enumerable.Range(0, count).Select(i => $"R{i}").ToArray();

        var seen = new List<string>();
        var cursors = new List<string>();
        string? after = null;
        do
        {
            var page = (await api.ExecuteAsync(channel.Admin, "query($after: String) { dealer(id: \"D\") { orders(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } }", new { after }))
                .Data("dealer", "orders");
            foreach (var edge in page.GetProperty("edges").EnumerateArray())
            {
                seen.Add(edge.GetProperty("node").GetProperty("id").GetString()!);
                cursors.Add(edge.GetProperty("cursor").GetString()!);
            }
            after = page.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean() ? page.GetProperty("pageInfo").GetProperty("endCursor").GetString() : null;
        } while (after is not null);
        Assert.Equal(placed, seen);

        // Two full pages are sealed, each in its own grain; the dealer keeps the 40 newest.
        var dealerKey = Keys.Of(channel.Tenant, "D");
        var sealedPages = await Task.WhenAll(Enumerable.Range(0, 3).Select(p => grains.GetGrain<IDealerOrderPageGrain>(DealerOrderPages.Key(dealerKey, p)).GetAsync()));
        Assert.Equal(placed[..DealerOrderPages.PageSize], sealedPages[0].Select(o => o.Id));
        Assert.Equal(placed[DealerOrderPages.PageSize..(2 * DealerOrderPages.PageSize)], sealedPages[1].Select(o => o.Id));
        Assert.Empty(sealedPages[2]);

        // A cursor without a position (issued before pages existed) still continues after its order; one whose
        // position names another order is refused, not searched for.
        var inFirstPage = placed[100];
        foreach (var cursor in new[] { Paging.Cursor(inFirstPage), cursors[100] })
        {
            var next = (await api.ExecuteAsync(channel.Admin, "query($after: String) { dealer(id: \"D\") { orders(first: 3, after: $after) { edges { node { id } } } } }", new { after = cursor }))
                .Data("dealer", "orders").GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()).ToArray();
            Assert.Equal(placed[101..104], next);
        }
        foreach (var refused in new[] { Paging.Cursor(inFirstPage, 7), Paging.Cursor("nobody", 3), Paging.Cursor("nobody") })
        {
            var unknown = await api.ExecuteAsync(channel.Admin, "query($after: String) { dealer(id: \"D\") { orders(after: $after) { edges { cursor } } } }", new { after = refused });
            Assert.Equal("VALIDATION", unknown.ErrorCode());
        }

        // The newest orders (the dashboard's feed), within the dealer's own page or reaching into a sealed one.
        foreach (var last in new[] { 5, 300 })
        {
            var latest = (await api.ExecuteAsync(channel.Admin, "query($last: Int) { dealer(id: \"D\") { orders(last: $last) { edges { node { id } } } } }", new { last }))
                .Data("dealer", "orders").GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()).ToArray();
            Assert.Equal(placed[^last..], latest);
        }
        var both = await api.ExecuteAsync(channel.Admin, "{ dealer(id: \"D\") { orders(first: 2, last: 2) { edges { cursor } } } }");
        Assert.Equal("VALIDATION", both.ErrorCode());
    }

    [Fact]
    public async Task An_order_whose_saga_died_and_is_retried_after_its_page_was_sealed_is_listed_once()
    {
        await channel.ProductAsync("P1", onHand: 10_000);
        await channel.DealersAsync(["D"], ["P1"]);
        var dealer = grains.GetGrain<IDealerGrain>(Keys.Of(channel.Tenant, "D"));

        // The saga of X listed it at the dealer and died before the order grain stored anything; the audit then
        // released its credit (the order grain holds nothing), keeping its reference.
        await dealer.OpenOrderAsync("X", [new ChannelGrains.Ordering.OrderLine("P1", 1, 10m, null)], DateTime.UtcNow.AddMinutes(-10), confirmed: false);
        await dealer.ApplyAuditAsync([], [new ChannelGrains.Ordering.AuditedHolding("X", (await StoredDealerAsync(dealer)).OpenOrders["X"].At)]);
        // Newer orders fill the page X is on, and it is sealed; then X's client retries, and X is placed anew.
        for (var i = 0; i < 2 * DealerOrderPages.PageSize + 10; i++) Ok(await channel.PlaceAsync($"N{i}", "D", Line("P1", 1)));
        Ok(await channel.PlaceAsync("X", "D", Line("P1", 1)));

        var listed = new List<string>();
        (string Id, long Position)? after = null;
        while (true)
        {
            var page = await dealer.ListOrdersAsync(after?.Id, after?.Position, 100);
            listed.AddRange(page.Orders.Select(o => o.Id));
            if (!page.HasNextPage) break;
            after = (page.Orders[^1].Id, page.FirstPosition + page.Orders.Count - 1);
        }
        Assert.Equal(["X", .. Enumerable.Range(0, 2 * DealerOrderPages.PageSize + 10).Select(i => $"N{i}")], listed);
    }

    [Fact]
    public async Task An_order_whose_saga_died_and_that_is_placed_again_for_another_dealer_is_shown_only_to_that_dealer()
    {
        await channel.ProductAsync("P1", onHand: 10_000);
        await channel.DealersAsync(["D", "E"], ["P1"]);
        var dealer = grains.GetGrain<IDealerGrain>(Keys.Of(channel.Tenant, "D"));

        // The saga of X for D listed it at D and died before the order grain stored anything; the audit released D's
        // hold and kept the reference. The requestId then comes again for E: nothing is stored under it, so X is E's.
        await dealer.OpenOrderAsync("X", [new ChannelGrains.Ordering.OrderLine("P1", 1, 10m, null)], DateTime.UtcNow.AddMinutes(-10), confirmed: false);
        await dealer.ApplyAuditAsync([], [new ChannelGrains.Ordering.AuditedHolding("X", (await StoredDealerAsync(dealer)).OpenOrders["X"].At)]);
        Ok(await channel.PlaceAsync("X", "E", Line("P1", 2)));

        // D's newest listed order is X, which is E's: D's order feed starts with none, not with E's order.
        Assert.Null(await ChannelGrains.Api.Ordering.OrderFields.LatestOrderAsync(grains, channel.Tenant, "D"));
        Ok(await channel.PlaceAsync("Y", "D", Line("P1", 1)));

        async Task<string[]> OrdersAsync(ChannelGrains.Api.Auth.Caller caller, string dealerId, string paging) =>
            (await api.ExecuteAsync(caller, $"{{ dealer(id: \"{dealerId}\") {{ orders({paging}) {{ edges {{ node {{ id dealerId }} }} }} }} }}"))
                .Data("dealer", "orders").GetProperty("edges").EnumerateArray()
                .Select(e => $"{e.GetProperty("node").GetProperty("id").GetString()}@{e.GetProperty("node").GetProperty("dealerId").GetString()}").ToArray();
        var asDealer = Callers.Dealer(channel.Tenant, "D");
        foreach (var paging in new[] { "first: 10", "last: 10" })
        {
            Assert.Equal(["Y@D"], await OrdersAsync(channel.Admin, "D", paging));
            Assert.Equal(["Y@D"], await OrdersAsync(asDealer, "D", paging));
            Assert.Equal(["X@E"], await OrdersAsync(channel.Admin, "E", paging));
        }
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(asDealer, "{ order(id: \"X\") { id } }")).ErrorCode());
        // Each dealer's credit holds its own order only.
        async Task<decimal> TotalAsync(string id) => (await api.ExecuteAsync(channel.Admin, $"{{ order(id: \"{id}\") {{ total }} }}")).Data("order", "total").GetDecimal();
        Assert.Equal(await TotalAsync("Y"), (await dealer.GetAsync())!.CreditUsed);
        Assert.Equal(await TotalAsync("X"), (await grains.GetGrain<IDealerGrain>(Keys.Of(channel.Tenant, "E")).GetAsync())!.CreditUsed);
    }

    [Fact]
    public async Task A_retried_hold_with_other_terms_that_is_refused_leaves_the_first_hold_as_stored()
    {
        await channel.ProductAsync("P1", onHand: 10_000);
        await channel.DealersAsync(["D"], ["P1"], creditLimit: 1_000m);
        var dealer = grains.GetGrain<IDealerGrain>(Keys.Of(channel.Tenant, "D"));
        await dealer.OpenOrderAsync("X", [new ChannelGrains.Ordering.OrderLine("P1", 40, 10m, null)], DateTime.UtcNow, confirmed: true);

        // The retry (its prices changed meanwhile) would exceed the credit: refused, and the first hold still stands.
        var refused = await Assert.ThrowsAsync<ChannelException>(() =>
            dealer.OpenOrderAsync("X", [new ChannelGrains.Ordering.OrderLine("P1", 40, 30m, null)], DateTime.UtcNow, confirmed: true));

        Assert.Equal(ErrorCodes.CreditLimitExceeded, refused.Code);
        Assert.Equal(400m, (await dealer.GetAsync())!.CreditUsed);
        Assert.Equal(400m, (await dealer.GetQuotaAsync(Period.MonthOf(DateTime.UtcNow).ToString())).Achieved);
        Assert.Equal(400m, (await StoredDealerAsync(dealer)).OpenOrders["X"].Amount);
    }

    [Fact]
    public async Task Dealer_acts_only_for_itself_and_cannot_ship()
    {
        await channel.ProductAsync("P1", onHand: 100);
        await channel.DealersAsync(["D", "E"], ["P1"]);
        var dealer = Callers.Dealer(channel.Tenant, "D");

        var own = await channel.PlaceAsAsync(dealer, "R1", "D", Line("P1", 1));
        var other = await channel.PlaceAsAsync(dealer, "R2", "E", Line("P1", 1));
        var ship = await channel.MoveAsync("shipOrder", "R1", dealer);
        Ok(await channel.PlaceAsync("R3", "E", Line("P1", 1)));
        var readOther = await api.ExecuteAsync(dealer, "{ order(id: \"R3\") { id } }");

        Ok(own);
        Assert.Equal("FORBIDDEN", other.ErrorCode());
        Assert.Equal("FORBIDDEN", ship.ErrorCode());
        Assert.Equal("FORBIDDEN", readOther.ErrorCode());
        Assert.Equal(2, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task Manager_acts_only_for_dealers_of_its_region_and_what_it_refuses_changes_nothing()
    {
        await channel.ProductAsync("P1", onHand: 100);
        await channel.DealersAsync(["D"], ["P1"]);
        await channel.DealersAsync(["N"], ["P1"], region: "CN/North/Beijing");
        Ok(await channel.PlaceAsync("R1", "N", Line("P1", 1)));
        Ok(await channel.PlaceAsync("R2", "N", Line("P1", 1)));
        Ok(await channel.MoveAsync("shipOrder", "R2"));
        var east = Callers.Manager(channel.Tenant, "CN/East");

        var own = await channel.PlaceAsAsync(east, "R3", "D", Line("P1", 1));
        var refused = new[]
        {
            await channel.PlaceAsAsync(east, "R4", "N", Line("P1", 1)),
            await channel.MoveAsync("shipOrder", "R1", east),
            await channel.MoveAsync("cancelOrder", "R1", east),
            await channel.MoveAsync("receiveOrder", "R2", east),
            await api.ExecuteAsync(east, SellOut, new { input = new { requestId = "S1", dealerId = "N", date = "2026-11-20T10:00:00Z", lines = new[] { Sold("P1", 1, 10m) } } }),
            await api.ExecuteAsync(east, "mutation($input: QuotaInput!) { setQuota(input: $input) { target } }", new { input = new { ownerId = "N", period = "2026-11", target = 5m } }),
            await api.ExecuteAsync(east, "{ order(id: \"R1\") { id } }"),
        };

        Ok(own);
        Assert.All(refused, result => Assert.Equal("FORBIDDEN", result.ErrorCode()));
        Assert.Equal(97, (await channel.ProductOf("P1")).GetProperty("available").GetInt32()); // R1 and R3 reserved, R2 shipped; no R4
        var north = await api.ExecuteAsync(channel.Admin, "{ a: order(id: \"R1\") { status } b: order(id: \"R2\") { status } c: order(id: \"R4\") { id } }");
        Assert.Equal(("CONFIRMED", "SHIPPED"), (north.Data("a", "status").GetString(), north.Data("b", "status").GetString()));
        Assert.Equal(JsonValueKind.Null, north.Data("c").ValueKind);
    }

    private Task<JsonElement> SetQuotaAsync(string period, decimal target) =>
        api.ExecuteAsync(channel.Admin, "mutation($input: QuotaInput!) { setQuota(input: $input) { target achieved } }", new { input = new { ownerId = "D", period, target } });

    private async Task<JsonElement> QuotaAsync(string period) =>
        (await api.ExecuteAsync(channel.Admin, "query($p: String!) { dealer(id: \"D\") { quota(period: $p) { target achieved ratio } } }", new { p = period })).Data("dealer", "quota");

    public void Dispose() => api.Dispose();
}
