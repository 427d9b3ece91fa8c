using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;
using Orleans.Storage;
using static ChannelGrains.Tests.Ordering.OrderingScenario;

namespace ChannelGrains.Tests.Ordering;

/// <summary>Rules 1–7 of PRODUCT.md through the served schema, on a two-silo cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class OrderRulesTests : IDisposable
{
    private readonly ClusterFixture fixture;
    private readonly InProcessGraphQL api;
    private readonly OrderingScenario channel;

    /// <summary>The prices <see cref="OrderingScenario.ProductAsync"/> gives a product unless told others.</summary>
    private static readonly ProductPrice DefaultPrices = new(10m, 8m);

    public OrderRulesTests(ClusterFixture fixture)
    {
        this.fixture = fixture;
        api = new(fixture.Grains, fixture.Cluster.Client);
        channel = new(api, TestTenant.New());
    }

    [Fact]
    public void Received_cancelled_and_rejected_orders_are_final_and_no_other()
    {
        var final = Enum.GetValues<ChannelGrains.Ordering.OrderStatus>().Where(ChannelGrains.Ordering.OrderRules.IsFinal);
        Assert.Equal([ChannelGrains.Ordering.OrderStatus.Received, ChannelGrains.Ordering.OrderStatus.Cancelled, ChannelGrains.Ordering.OrderStatus.Rejected], final);
    }

    [Fact]
    public async Task Fifty_concurrent_orders_for_ten_units_confirm_exactly_ten()
    {
        await channel.ProductAsync("P1", onHand: 10);
        var dealers = Enumerable.Range(0, 50).Select(i => $"D{i}").ToArray();
        await channel.DealersAsync(dealers, ["P1"]);

        var results = await Task.WhenAll(dealers.Select(d => channel.PlaceAsync($"R-{d}", d, Line("P1", 1))));

        Assert.Equal(10, results.Count(r => r.ErrorCode() is null));
        Assert.Equal(40, results.Count(r => r.ErrorCode() == "INSUFFICIENT_STOCK"));
        var product = await channel.ProductOf("P1");
        Assert.Equal(10, product.GetProperty("reserved").GetInt32());
        Assert.Equal(0, product.GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Second_order_for_the_last_units_fails_with_insufficient_stock()
    {
        await channel.ProductAsync("P1", onHand: 5);
        await channel.DealersAsync(["A", "B"], ["P1"]);

        var results = await Task.WhenAll(channel.PlaceAsync("RA", "A", Line("P1", 5)), channel.PlaceAsync("RB", "B", Line("P1", 5)));

        Assert.Single(results, r => r.ErrorCode() is null);
        Assert.Single(results, r => r.ErrorCode() == "INSUFFICIENT_STOCK");
        Assert.Equal(5, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task Three_line_order_whose_third_line_is_short_reserves_nothing()
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.ProductAsync("P2", onHand: 10);
        await channel.ProductAsync("P3", onHand: 2);
        await channel.DealersAsync(["D"], ["P1", "P2", "P3"]);

        var result = await channel.PlaceAsync("R1", "D", Line("P1", 5), Line("P2", 5), Line("P3", 3));

        Assert.Equal("INSUFFICIENT_STOCK", result.ErrorCode());
        foreach (var sku in new[] { "P1", "P2", "P3" }) Assert.Equal(0, (await channel.ProductOf(sku)).GetProperty("reserved").GetInt32());
        Assert.Equal(0m, (await channel.DealerOf("D")).GetProperty("creditUsed").GetDecimal());
    }

    [Fact]
    public async Task Order_over_the_credit_limit_is_refused_and_takes_nothing()
    {
        await channel.ProductAsync("P1", onHand: 100);
        await channel.DealersAsync(["D"], ["P1"], creditLimit: 250m);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 20)));

        var refused = await channel.PlaceAsync("R2", "D", Line("P1", 6));

        Assert.Equal("CREDIT_LIMIT_EXCEEDED", refused.ErrorCode());
        Assert.Equal(200m, (await channel.DealerOf("D")).GetProperty("creditUsed").GetDecimal());
        Assert.Equal(20, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
        Ok(await channel.PlaceAsync("R3", "D", Line("P1", 5)));
    }

    /// <summary>
    /// Rule 5 without overflow: a dealer holds at most Validate.MaxUnits units once its open orders arrive, so its stock
    /// never wraps around to a negative number (an opening stock of 2,147,483,640 plus 10 received was -2,147,483,646).
    /// </summary>
    [Fact]
    public async Task An_order_that_would_take_a_dealer_beyond_the_unit_bound_is_refused_and_takes_nothing()
    {
        const string import = "mutation($input: DealerHistoryInput!) { importDealerHistory(input: $input) { id } }";
        await channel.ProductAsync("P1", onHand: 100);
        await channel.DealersAsync(["D"], ["P1"]);
        var overflowing = await api.ExecuteAsync(channel.Admin, import, new { input = new { dealerId = "D", months = Array.Empty<object>(), openingStock = new[] { new { sku = "P1", quantity = 2_147_483_640 } } } });
        Ok(await api.ExecuteAsync(channel.Admin, import, new { input = new { dealerId = "D", months = Array.Empty<object>(), openingStock = new[] { new { sku = "P1", quantity = Validate.MaxUnits - 15 } } } }));
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 10)));

        var refused = await channel.PlaceAsync("R2", "D", Line("P1", 6));

        Assert.Equal("VALIDATION", overflowing.ErrorCode());
        Assert.Equal("VALIDATION", refused.ErrorCode());
        Assert.Equal(10, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
        Assert.Equal(100m, (await channel.DealerOf("D")).GetProperty("creditUsed").GetDecimal());
        Ok(await channel.PlaceAsync("R3", "D", Line("P1", 5)));
    }

    [Fact]
    public async Task Line_below_the_floor_price_fails_and_a_price_at_the_floor_is_taken()
    {
        await channel.ProductAsync("P1", onHand: 100, listPrice: 10m, floorPrice: 8m);
        await channel.DealersAsync(["D"], ["P1"]);

        var below = await channel.PlaceAsync("R1", "D", Line("P1", 1, unitPrice: 7.99m));
        var atFloor = await channel.PlaceAsync("R2", "D", Line("P1", 2, unitPrice: 8m));

        Assert.Equal("PRICE_BELOW_FLOOR", below.ErrorCode());
        Assert.Equal(16m, atFloor.Data("placeOrder", "total").GetDecimal());
        Assert.Equal(2, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
    }

    /// <summary>
    /// Rule 4 with each silo's copies of the prices (ProductPrices): orders placed on both silos leave copies of the
    /// old prices there, and after the prices changed every order is priced at the new ones, and a line at the old list
    /// price, now below the new floor, is refused and holds nothing. The product refuses a reservation at other prices
    /// than its own.
    /// </summary>
    [Fact]
    public async Task An_order_after_a_price_change_is_priced_at_the_new_prices_on_every_silo()
    {
        await channel.ProductAsync("P1", onHand: 1_000, listPrice: 10m, floorPrice: 8m);
        var dealers = Enumerable.Range(0, 8).Select(i => $"D{i}").ToArray();
        await channel.DealersAsync(dealers, ["P1"]);
        foreach (var dealer in dealers) Assert.Equal(10m, (await channel.PlaceAsync($"before-{dealer}", dealer, Line("P1", 1))).Data("placeOrder", "total").GetDecimal());

        await channel.ProductAsync("P1", onHand: 0, listPrice: 12m, floorPrice: 11m);
        var after = await Task.WhenAll(dealers.Select(d => channel.PlaceAsync($"after-{d}", d, Line("P1", 2))));
        var atOldPrice = await channel.PlaceAsync("old-price", "D0", Line("P1", 1, unitPrice: 10m));

        Assert.All(after, placed => Assert.Equal(24m, placed.Data("placeOrder", "total").GetDecimal()));
        Assert.Equal("PRICE_BELOW_FLOOR", atOldPrice.ErrorCode());
        Assert.Equal(8 + 16, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
        Assert.Equal(10m + 24m, (await channel.DealerOf("D0")).GetProperty("creditUsed").GetDecimal());
        var product = fixture.Grains.GetGrain<IProductGrain>(Keys.Of(channel.Tenant, "P1"));
        Assert.False(await product.ReserveAsync("stale", 1, DefaultPrices));
        Assert.Equal(24, (await product.GetAsync())!.Reserved);
    }

    /// <summary>Rule 15, found by a bad-input pass: a line naming a promotion was confirmed and kept it, unchecked.</summary>
    [Fact]
    public async Task A_line_naming_a_promotion_that_does_not_exist_is_refused_and_takes_nothing()
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"]);

        var refused = await channel.PlaceAsync("R1", "D", new { sku = "P1", quantity = 2, promotionId = "NOPE" });

        Assert.Equal("NOT_FOUND", refused.ErrorCode());
        Assert.Equal(0, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
        Assert.Equal(0m, (await channel.DealerOf("D")).GetProperty("creditUsed").GetDecimal());
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 2))); // nothing was stored under the requestId
    }

    [Theory]
    [InlineData("PENDING", "P1")]
    [InlineData("SUSPENDED", "P1")]
    [InlineData("TERMINATED", "P1")]
    [InlineData("ADMITTED", "P2")]
    public async Task Only_admitted_dealers_order_only_authorised_skus(string status, string sku)
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.ProductAsync("P2", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"], status: status);

        var result = await channel.PlaceAsync("R1", "D", Line(sku, 1));

        Assert.Equal("NOT_AUTHORIZED", result.ErrorCode());
        Assert.Equal(0, (await channel.ProductOf(sku)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task Retried_order_is_applied_once_and_returns_the_first_result()
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"]);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => channel.PlaceAsync("R1", "D", Line("P1", 3))));
        var reusedForAnother = await channel.PlaceAsync("R1", "D", Line("P1", 4));

        Assert.All(attempts, a => Assert.Equal(attempts[0].Data("placeOrder").ToString(), a.Data("placeOrder").ToString()));
        Assert.Equal("VALIDATION", reusedForAnother.ErrorCode());
        Assert.Equal(3, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
        Assert.Equal(30m, (await channel.DealerOf("D")).GetProperty("creditUsed").GetDecimal());
    }

    [Fact]
    public async Task Retried_refused_order_gets_the_same_refusal_even_after_restocking()
    {
        await channel.ProductAsync("P1", onHand: 1);
        await channel.DealersAsync(["D"], ["P1"]);
        Assert.Equal("INSUFFICIENT_STOCK", (await channel.PlaceAsync("R1", "D", Line("P1", 3))).ErrorCode());
        Ok(await api.ExecuteAsync(channel.Admin, "mutation { adjustStock(sku: \"P1\", delta: 10, reason: \"received\") { sku } }"));

        Assert.Equal("INSUFFICIENT_STOCK", (await channel.PlaceAsync("R1", "D", Line("P1", 3))).ErrorCode());
        Assert.Equal(0, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task Shipping_moves_stock_in_transit_and_receiving_makes_it_dealer_stock()
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"]);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 4)));

        Assert.Equal("SHIPPED", (await channel.MoveAsync("shipOrder", "R1")).Data("shipOrder", "status").GetString());
        var afterShip = await channel.DealerOf("D");
        var product = await channel.ProductOf("P1");
        Assert.Equal((0, 4), Stock(afterShip, "P1"));
        Assert.Equal(40m, afterShip.GetProperty("creditUsed").GetDecimal()); // a shipped order is open until received (rule 3)
        Assert.Equal(6, product.GetProperty("onHand").GetInt32());
        Assert.Equal(0, product.GetProperty("reserved").GetInt32());

        Assert.Equal("RECEIVED", (await channel.MoveAsync("receiveOrder", "R1")).Data("receiveOrder", "status").GetString());
        var afterReceipt = await channel.DealerOf("D");
        Assert.Equal((4, 0), Stock(afterReceipt, "P1"));
        Assert.Equal(0m, afterReceipt.GetProperty("creditUsed").GetDecimal());
    }

    [Fact]
    public async Task A_final_or_refused_order_leaves_memory_at_once_and_reads_back_from_storage_and_an_open_one_stays()
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"]);
        foreach (var id in new[] { "R-RECEIVED", "R-CANCELLED", "R-OPEN" }) Ok(await channel.PlaceAsync(id, "D", Line("P1", 1)));
        Ok(await channel.MoveAsync("shipOrder", "R-RECEIVED"));
        Ok(await channel.MoveAsync("receiveOrder", "R-RECEIVED"));
        Ok(await channel.MoveAsync("cancelOrder", "R-CANCELLED"));
        Assert.Equal("INSUFFICIENT_STOCK", (await channel.PlaceAsync("R-REFUSED", "D", Line("P1", 100))).ErrorCode());

        string[] final = [.. new[] { "R-RECEIVED", "R-CANCELLED", "R-REFUSED" }.Select(id => Keys.Of(channel.Tenant, id))];
        Task NoneActiveAsync() => Eventually.TrueAsync(async () => !(await ActiveOrdersAsync()).Overlaps(final), TimeSpan.FromSeconds(20),
            async () => $"active orders of the tenant: {string.Join(", ", (await ActiveOrdersAsync()).Where(k => k.StartsWith(channel.Tenant, StringComparison.Ordinal)))}");
        await NoneActiveAsync();

        // An open order is kept for its next step (its collection age is two minutes).
        Assert.Contains(Keys.Of(channel.Tenant, "R-OPEN"), await ActiveOrdersAsync());
        foreach (var (id, status) in new[] { ("R-RECEIVED", "RECEIVED"), ("R-CANCELLED", "CANCELLED") })
        {
            var read = await api.ExecuteAsync(channel.Admin, "query($id: ID!) { order(id: $id) { status } }", new { id });
            Assert.Equal(status, read.Data("order", "status").GetString());
            Assert.Equal("INVALID_TRANSITION", (await channel.MoveAsync("shipOrder", id)).ErrorCode());
        }
        Assert.Equal("INSUFFICIENT_STOCK", (await channel.PlaceAsync("R-REFUSED", "D", Line("P1", 100))).ErrorCode()); // the retry reads it back
        Assert.Equal(1, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32()); // R-OPEN's unit only

        // The reads and retries brought them back from storage; each leaves again a second later.
        await NoneActiveAsync();
    }

    /// <summary>
    /// Rules 1–3 and 5 when a holder's audit and an order's retry cross: the audit asked the order, which had stored no
    /// outcome (its saga died holding the dealer's credit and the stock), and before the audit's release arrived the
    /// client's retry placed the order, taking the same holdings again. The release must leave them to the order.
    /// </summary>
    [Fact]
    public async Task A_retry_placed_between_an_audits_question_and_its_release_keeps_its_credit_and_stock()
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"]);
        var order = fixture.Grains.GetGrain<IOrderGrain>(Keys.Of(channel.Tenant, "R1"));
        var product = fixture.Grains.GetGrain<IProductGrain>(Keys.Of(channel.Tenant, "P1"));
        var dealer = fixture.Grains.GetGrain<IDealerGrain>(Keys.Of(channel.Tenant, "D"));
        await dealer.OpenOrderAsync("R1", [new OrderLine("P1", 4, 10m, null)], DateTime.UtcNow, confirmed: true);
        Assert.True(await product.ReserveAsync("R1", 4, DefaultPrices));
        AuditedHolding[] credit = [new("R1", (await StoredDealer.ReadAsync(fixture.ChannelStorage, dealer)).OpenOrders["R1"].At)];
        var storedProduct = new GrainState<ProductState>();
        await fixture.ChannelStorage.ReadStateAsync("product", product.GetGrainId(), storedProduct);
        AuditedHolding[] stock = [new("R1", storedProduct.State!.Reservations["R1"].At)];

        Assert.False(await order.HoldsReservationsAsync());
        Assert.Equal("CONFIRMED", (await channel.PlaceAsync("R1", "D", Line("P1", 4))).Data("placeOrder", "status").GetString());
        await product.ApplyAuditAsync([], stock);
        await dealer.ApplyAuditAsync([], credit);

        Assert.Equal(4, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
        Assert.Equal(40m, (await channel.DealerOf("D")).GetProperty("creditUsed").GetDecimal());
        Ok(await channel.MoveAsync("shipOrder", "R1"));
        Assert.Equal(6, (await channel.ProductOf("P1")).GetProperty("onHand").GetInt32());
        Assert.Equal((0, 4), Stock(await channel.DealerOf("D"), "P1"));

        // A holding nobody took again since it was audited is released, as before.
        Assert.True(await product.ReserveAsync("GONE", 2, DefaultPrices));
        await fixture.ChannelStorage.ReadStateAsync("product", product.GetGrainId(), storedProduct);
        await product.ApplyAuditAsync([], [new("GONE", storedProduct.State!.Reservations["GONE"].At)]);
        Assert.Equal(0, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
    }

    /// <summary>Rule 7: a refusal is the answer to every retry, also after an audit asked the refused order whether it holds anything.</summary>
    [Fact]
    public async Task An_audit_that_asks_a_refused_order_leaves_it_refused()
    {
        await channel.ProductAsync("P1", onHand: 1);
        await channel.DealersAsync(["D"], ["P1"]);
        Assert.Equal("INSUFFICIENT_STOCK", (await channel.PlaceAsync("R1", "D", Line("P1", 3))).ErrorCode());

        Assert.False(await fixture.Grains.GetGrain<IOrderGrain>(Keys.Of(channel.Tenant, "R1")).HoldsReservationsAsync());
        Ok(await api.ExecuteAsync(channel.Admin, "mutation { adjustStock(sku: \"P1\", delta: 10, reason: \"received\") { sku } }"));

        Assert.Equal("INSUFFICIENT_STOCK", (await channel.PlaceAsync("R1", "D", Line("P1", 3))).ErrorCode());
        Assert.Equal(0, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
    }

    private Task<HashSet<string>> ActiveOrdersAsync() => ActiveGrains.KeysAsync<ChannelGrains.Ordering.OrderGrain>(fixture.Grains);

    [Fact]
    public async Task Cancelling_releases_the_reservation_and_the_credit()
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"]);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 4)));

        Assert.Equal("CANCELLED", (await channel.MoveAsync("cancelOrder", "R1")).Data("cancelOrder", "status").GetString());

        Assert.Equal(0, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
        Assert.Equal(0m, (await channel.DealerOf("D")).GetProperty("creditUsed").GetDecimal());
    }

    [Fact]
    public async Task An_admins_change_to_an_order_or_dealer_that_does_not_exist_is_not_found()
    {
        await channel.ProductAsync("P1", onHand: 10);

        foreach (var move in new[] { "shipOrder", "receiveOrder", "cancelOrder" })
            Assert.Equal("NOT_FOUND", (await channel.MoveAsync(move, "NO-SUCH-ORDER")).ErrorCode());
        var sellOut = await api.ExecuteAsync(channel.Admin, "mutation($input: SellOutInput!) { reportSellOut(input: $input) { id } }",
            new { input = new { requestId = "S1", dealerId = "GHOST", date = DateTime.UtcNow, lines = new[] { new { sku = "P1", quantity = 1, amount = 10m } } } });
        var quota = await api.ExecuteAsync(channel.Admin, "mutation($input: QuotaInput!) { setQuota(input: $input) { target } }",
            new { input = new { ownerId = "GHOST", period = DateTime.UtcNow.ToString("yyyy-MM"), target = 5m } });

        Assert.Equal(("NOT_FOUND", "NOT_FOUND"), (sellOut.ErrorCode(), quota.ErrorCode()));
    }

    [Fact]
    public async Task An_order_for_a_dealer_not_yet_created_is_refused_and_placed_when_retried_after()
    {
        await channel.ProductAsync("P1", onHand: 10);

        Assert.Equal("NOT_FOUND", (await channel.PlaceAsync("EARLY", "LATE", Line("P1", 2))).ErrorCode());
        await channel.DealersAsync(["LATE"], ["P1"]);

        Assert.Equal("CONFIRMED", (await channel.PlaceAsync("EARLY", "LATE", Line("P1", 2))).Data("placeOrder", "status").GetString());
    }

    /// <summary>Rule 7 for moves: shipped, received or cancelled again, an order answers as it is and changes nothing.</summary>
    [Theory]
    [InlineData("shipOrder", "SHIPPED")]
    [InlineData("shipOrder receiveOrder", "RECEIVED")]
    [InlineData("cancelOrder", "CANCELLED")]
    public async Task A_move_retried_answers_as_the_order_is_and_changes_nothing(string path, string status)
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"]);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 4)));
        foreach (var move in path.Split(' ')) Ok(await channel.MoveAsync(move, "R1"));
        var product = (await channel.ProductOf("P1")).ToString();
        var dealer = (await channel.DealerOf("D")).ToString();

        var retried = await channel.MoveAsync(path.Split(' ')[^1], "R1");

        Assert.Equal(status, retried.Data(path.Split(' ')[^1], "status").GetString());
        Assert.Equal(product, (await channel.ProductOf("P1")).ToString());
        Assert.Equal(dealer, (await channel.DealerOf("D")).ToString());
    }

    /// <summary>Rule 1 across lines: two orders for the last units of the same two SKUs, lines in either order: exactly one fits, and it is placed.</summary>
    [Fact]
    public async Task Of_two_orders_crossing_for_the_last_units_of_two_skus_exactly_one_is_placed()
    {
        await channel.ProductAsync("PA", onHand: 0);
        await channel.ProductAsync("PB", onHand: 0);
        await channel.DealersAsync(["DP", "DQ"], ["PA", "PB"]);
        for (var round = 0; round < 30; round++)
        {
            foreach (var sku in new[] { "PA", "PB" })
                Ok(await api.ExecuteAsync(channel.Admin, "mutation($sku: ID!) { adjustStock(sku: $sku, delta: 10, reason: \"received\") { sku } }", new { sku }));

            var placed = await Task.WhenAll(channel.PlaceAsync($"P{round}", "DP", Line("PA", 6), Line("PB", 6)), channel.PlaceAsync($"Q{round}", "DQ", Line("PB", 6), Line("PA", 6)));

            Assert.Equal(1, placed.Count(p => p.ErrorCode() is null));
            Assert.Equal("INSUFFICIENT_STOCK", placed.Single(p => p.ErrorCode() is not null).ErrorCode());
            var winner = placed[0].ErrorCode() is null ? $"P{round}" : $"Q{round}";
            Ok(await channel.MoveAsync("shipOrder", winner));
            foreach (var sku in new[] { "PA", "PB" })
                Ok(await api.ExecuteAsync(channel.Admin, "mutation($sku: ID!) { adjustStock(sku: $sku, delta: -4, reason: \"damaged\") { sku } }", new { sku }));
        }
    }

    [Theory]
    [InlineData("shipOrder cancelOrder")]
    [InlineData("receiveOrder")]
    [InlineData("cancelOrder shipOrder")]
    [InlineData("shipOrder receiveOrder shipOrder")]
    public async Task Status_moves_only_along_its_lifecycle(string path)
    {
        var moves = path.Split(' ');
        await channel.ProductAsync("P1", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"]);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 1)));

        foreach (var move in moves[..^1]) Ok(await channel.MoveAsync(move, "R1"));
        var last = await channel.MoveAsync(moves[^1], "R1");

        Assert.Equal("INVALID_TRANSITION", last.ErrorCode());
        Assert.Matches("^Order R1 is [A-Z_]+ and cannot become (SHIPPED|RECEIVED|CANCELLED)\\.$", last.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    public void Dispose() => api.Dispose();
}
