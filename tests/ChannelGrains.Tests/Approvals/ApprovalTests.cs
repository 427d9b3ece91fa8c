using System.Globalization;
using System.Text.Json;
using ChannelGrains.Api.Auth;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;
using ChannelGrains.Tests.Ordering;
using static ChannelGrains.Tests.Ordering.OrderingScenario;

namespace ChannelGrains.Tests.Approvals;

/// <summary>Rules 4 and 11: approval chains by amount, who decides, the log of decisions, and what they unlock.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ApprovalTests : IDisposable
{
    private readonly InProcessGraphQL api;
    private readonly OrderingScenario channel;
    private readonly Caller eastManager;
    private readonly Caller otherAdmin;
    private readonly IGrainFactory grains;
    private readonly Orleans.Storage.IGrainStorage storage;

    public ApprovalTests(ClusterFixture fixture)
    {
        grains = fixture.Grains;
        storage = fixture.ChannelStorage;
        api = new(fixture.Grains, fixture.Cluster.Client);
        channel = new(api, TestTenant.New());
        eastManager = Callers.Manager(channel.Tenant, "CN/East");
        otherAdmin = new Caller(channel.Tenant, Role.Admin, "admin2", "CN");
    }

    private const string ApprovalFields = "id status chain nextStep history { step role decidedBy approved reason }";

    private async Task SettingsAsync(decimal? orderApprovalAbove) => Ok(await UpdateSettingsAsync(orderApprovalAbove));

    private Task<JsonElement> UpdateSettingsAsync(decimal? orderApprovalAbove, decimal singleAdminApprovesUpTo = 500_000m) => api.ExecuteAsync(channel.Admin,
        "mutation($input: TenantSettingsInput!) { updateTenantSettings(input: $input) { orderApprovalAbove } }",
        new { input = new { orderApprovalAbove, managerApprovesUpTo = 50_000m, singleAdminApprovesUpTo } });

    private Task<JsonElement> ApproveOrderAsync(Caller caller, bool approved, string reason = "ok") =>
        api.ExecuteAsync(caller, "mutation($approved: Boolean!, $reason: String) { approveOrder(id: \"R1\", approved: $approved, reason: $reason) { status } }", new { approved, reason });

    /// <summary>Order R1 of dealer D (CN/East/Shanghai), waiting for approval: every order needs one.</summary>
    private async Task OrderAwaitingApprovalAsync()
    {
        await SettingsAsync(orderApprovalAbove: 0m);
        await channel.ProductAsync("P1", onHand: 100);
        await channel.DealersAsync(["D"], ["P1"]);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 1)));
    }

    private Task<JsonElement> ApprovalAsync(string id) => api.ExecuteAsync(channel.Admin, $"query($id: ID!) {{ approval(id: $id) {{ {ApprovalFields} }} }}", new { id });

    private static readonly DateTime PriceFrom = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>An ADMIN asks for P1 at <paramref name="price"/> for the dealer, by default for 30 days from <see cref="PriceFrom"/>.</summary>
    private Task<JsonElement> RequestSpecialPriceAsync(string requestId, string dealerId, decimal price = 7m, int expectedQuantity = 100,
        DateTime? validFrom = null, DateTime? validTo = null) =>
        api.ExecuteAsync(channel.Admin, "mutation($input: SpecialPriceInput!) { requestSpecialPrice(input: $input) { id status amount summary requestedBy } }",
            new { input = new { requestId, dealerId, sku = "P1", price, validFrom = validFrom ?? PriceFrom, validTo = validTo ?? PriceFrom.AddDays(30), expectedQuantity } });

    private static string ThisMonth => DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private async Task<decimal> AchievedAsync() =>
        (await api.ExecuteAsync(channel.Admin, "{ dealer(id: \"D\") { quota(period: \"" + ThisMonth + "\") { achieved } } }")).Data("dealer", "quota", "achieved").GetDecimal();

    [Fact]
    public async Task Order_above_the_tenant_value_waits_and_counts_only_once_its_chain_approved()
    {
        await SettingsAsync(orderApprovalAbove: 100_000m);
        await channel.ProductAsync("P1", onHand: 100_000, listPrice: 10m, floorPrice: 1m);
        await channel.DealersAsync(["D"], ["P1"]);

        Assert.Equal("PENDING_APPROVAL", (await channel.PlaceAsync("R1", "D", Line("P1", 20_000))).Data("placeOrder", "status").GetString());
        Assert.Equal("INVALID_TRANSITION", (await channel.MoveAsync("shipOrder", "R1")).ErrorCode());
        Assert.Equal(0m, await AchievedAsync());

        Assert.Equal("PENDING_APPROVAL", (await ApproveOrderAsync(eastManager, true, "known dealer")).Data("approveOrder", "status").GetString());
        Assert.Equal("FORBIDDEN", (await ApproveOrderAsync(Callers.Manager(channel.Tenant, "CN"), true)).ErrorCode());
        Assert.Equal("CONFIRMED", (await ApproveOrderAsync(channel.Admin, true, "budget ok")).Data("approveOrder", "status").GetString());

        Assert.Equal(200_000m, await AchievedAsync());
        var history = (await ApprovalAsync("order-R1")).Data("approval", "history");
        Assert.Equal(["manager:known dealer", "admin:budget ok"],
            history.EnumerateArray().Select(d => $"{d.GetProperty("decidedBy").GetString()}:{d.GetProperty("reason").GetString()}"));
    }

    [Fact]
    public async Task Rejected_order_releases_what_it_held_and_logs_why()
    {
        await SettingsAsync(orderApprovalAbove: 1_000m);
        await channel.ProductAsync("P1", onHand: 1_000);
        await channel.DealersAsync(["D"], ["P1"]);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 500)));

        Assert.Equal("REJECTED", (await ApproveOrderAsync(eastManager, false, "credit risk")).Data("approveOrder", "status").GetString());

        // Final: the order leaves memory, also after the mutation's own read brought it back; what follows reads it from storage.
        var order = Keys.Of(channel.Tenant, "R1");
        await Eventually.TrueAsync(async () => !(await ActiveGrains.KeysAsync<OrderGrain>(grains)).Contains(order), TimeSpan.FromSeconds(20),
            () => Task.FromResult($"order {order} is still active"));
        Assert.Equal(0, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
        Assert.Equal(0m, (await channel.DealerOf("D")).GetProperty("creditUsed").GetDecimal());
        var approval = (await ApprovalAsync("order-R1")).Data("approval");
        Assert.Equal("REJECTED", approval.GetProperty("status").GetString());
        Assert.Equal("credit risk", approval.GetProperty("history")[0].GetProperty("reason").GetString());
        Assert.Equal("INVALID_TRANSITION", (await ApproveOrderAsync(channel.Admin, true)).ErrorCode());
    }

    /// <summary>
    /// Rule 19: an order's approval waiting when its dealer moves to another region moves with it: the old region's
    /// manager no longer lists, reads or decides it, and the new region's manager does. Before, it stayed in the region its
    /// dealer was in when the order was placed: the East manager approved an order of a dealer now in CN/North.
    /// </summary>
    [Fact]
    public async Task A_waiting_approval_moves_with_its_dealer_to_the_managers_of_its_new_region()
    {
        await OrderAwaitingApprovalAsync();
        var northManager = Callers.Manager(channel.Tenant, "CN/North");
        await channel.DealersAsync(["D"], ["P1"], region: "CN/North/Beijing");
        const string Listed = "{ approvals { id } }";

        await Eventually.TrueAsync(async () => (await api.ExecuteAsync(northManager, Listed)).Data("approvals").GetArrayLength() == 1, TimeSpan.FromSeconds(10),
            () => Task.FromResult("the North manager never listed the approval of its dealer"));
        Assert.Empty((await api.ExecuteAsync(eastManager, Listed)).Data("approvals").EnumerateArray());
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(eastManager, "{ approval(id: \"order-R1\") { id } }")).ErrorCode());
        Assert.Equal("FORBIDDEN", (await ApproveOrderAsync(eastManager, true)).ErrorCode());
        Assert.Equal("CN/North/Beijing", (await api.ExecuteAsync(channel.Admin, "{ approval(id: \"order-R1\") { region } }")).Data("approval", "region").GetString());

        Assert.Equal("CONFIRMED", (await ApproveOrderAsync(northManager, true)).Data("approveOrder", "status").GetString());
    }

    [Fact]
    public async Task Deciding_an_approval_never_opened_is_not_found()
    {
        var missing = await api.ExecuteAsync(channel.Admin, "mutation { decideApproval(id: \"order-none\", approved: true, reason: \"ok\") { status } }");

        Assert.Equal("NOT_FOUND", missing.ErrorCode());
        Assert.Equal("NOT_FOUND", (await api.ExecuteAsync(channel.Admin, "mutation { approveOrder(id: \"none\", approved: true) { status } }")).ErrorCode());
    }

    /// <summary>Rule 3: an order waiting for approval is open order value; the dealer's next order is checked against it.</summary>
    [Fact]
    public async Task An_order_waiting_for_approval_counts_against_the_credit_limit()
    {
        await SettingsAsync(orderApprovalAbove: 0m);
        await channel.ProductAsync("P1", onHand: 100);
        await channel.DealersAsync(["D"], ["P1"], creditLimit: 250m);
        Assert.Equal("PENDING_APPROVAL", (await channel.PlaceAsync("R1", "D", Line("P1", 20))).Data("placeOrder", "status").GetString());

        var refused = await channel.PlaceAsync("R2", "D", Line("P1", 6));

        Assert.Equal("CREDIT_LIMIT_EXCEEDED", refused.ErrorCode());
        Assert.Equal(200m, (await channel.DealerOf("D")).GetProperty("creditUsed").GetDecimal());
        Assert.Equal("PENDING_APPROVAL", (await channel.PlaceAsync("R3", "D", Line("P1", 5))).Data("placeOrder", "status").GetString());
    }

    /// <summary>Rule 6 when the approval comes: a dealer suspended while its order waited orders nothing.</summary>
    [Fact]
    public async Task An_order_approved_after_its_dealer_was_suspended_is_rejected_and_releases_what_it_held()
    {
        await OrderAwaitingApprovalAsync();
        await channel.DealersAsync(["D"], ["P1"], status: "SUSPENDED");

        Assert.Equal("REJECTED", (await ApproveOrderAsync(eastManager, true, "looks fine")).Data("approveOrder", "status").GetString());

        Assert.Equal(0, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
        Assert.Equal(0m, (await channel.DealerOf("D")).GetProperty("creditUsed").GetDecimal());
        Assert.Equal(0m, await AchievedAsync());
    }

    [Theory]
    [InlineData(40_000, new[] { "REGIONAL_MANAGER" })]
    [InlineData(50_000, new[] { "REGIONAL_MANAGER" })]
    [InlineData(50_001, new[] { "REGIONAL_MANAGER", "ADMIN" })]
    [InlineData(400_000, new[] { "REGIONAL_MANAGER", "ADMIN" })]
    [InlineData(500_000, new[] { "REGIONAL_MANAGER", "ADMIN" })]
    [InlineData(500_001, new[] { "REGIONAL_MANAGER", "ADMIN", "ADMIN" })]
    [InlineData(900_000, new[] { "REGIONAL_MANAGER", "ADMIN", "ADMIN" })]
    public async Task Chain_is_chosen_by_amount(int units, string[] chain)
    {
        await SettingsAsync(orderApprovalAbove: 0m);
        await channel.ProductAsync("P1", onHand: 1_000_000, listPrice: 1m, floorPrice: 0.5m);
        await channel.DealersAsync(["D"], ["P1"], creditLimit: 10_000_000m);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", units)));

        var approval = (await ApprovalAsync("order-R1")).Data("approval");

        Assert.Equal(chain, approval.GetProperty("chain").EnumerateArray().Select(c => c.GetString()));
    }

    /// <summary>Order R1 of dealer D for 400,000 units at 1: a regional manager's approval and then an ADMIN's.</summary>
    private async Task OrderNeedingTwoApprovalsAsync()
    {
        await SettingsAsync(orderApprovalAbove: 0m);
        await channel.ProductAsync("P1", onHand: 1_000_000, listPrice: 1m, floorPrice: 0.5m);
        await channel.DealersAsync(["D"], ["P1"], creditLimit: 10_000_000m);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 400_000)));
    }

    /// <summary>
    /// Rule 7 for decisions: a decision retried with its requestId (its answer lost) is recorded once and answers as things
    /// are, at a step that waits for the next approver and after the last one; the same requestId for another decision is
    /// VALIDATION and changes nothing. Without a requestId a second decision by the same person stays refused (below).
    /// </summary>
    [Fact]
    public async Task A_decision_retried_with_its_requestId_is_recorded_once_and_answers_as_things_are()
    {
        await OrderNeedingTwoApprovalsAsync();
        const string Decide = "mutation($approved: Boolean!, $requestId: ID) { approveOrder(id: \"R1\", approved: $approved, reason: \"fits\", requestId: $requestId) { status } }";
        Task<JsonElement> DecideAsync(Caller caller, string requestId, bool approved = true) => api.ExecuteAsync(caller, Decide, new { approved, requestId });

        for (var i = 0; i < 2; i++) Assert.Equal("PENDING_APPROVAL", (await DecideAsync(eastManager, "east-1")).Data("approveOrder", "status").GetString());
        Assert.Equal("VALIDATION", (await DecideAsync(eastManager, "east-1", approved: false)).ErrorCode());
        for (var i = 0; i < 2; i++) Assert.Equal("CONFIRMED", (await DecideAsync(channel.Admin, "admin-1")).Data("approveOrder", "status").GetString());

        var approval = (await ApprovalAsync("order-R1")).Data("approval");
        Assert.Equal(("APPROVED", 2), (approval.GetProperty("status").GetString(), approval.GetProperty("history").GetArrayLength()));
        Assert.Equal(400_000, (await channel.ProductOf("P1")).GetProperty("reserved").GetInt32());
        Assert.Equal("INVALID_TRANSITION", (await DecideAsync(otherAdmin, "admin-2")).ErrorCode());
    }

    [Fact]
    public async Task One_person_decides_one_step_at_most()
    {
        await OrderNeedingTwoApprovalsAsync();

        Ok(await ApproveOrderAsync(channel.Admin, true));
        Assert.Equal("FORBIDDEN", (await ApproveOrderAsync(channel.Admin, true)).ErrorCode());
        Assert.Equal("CONFIRMED", (await ApproveOrderAsync(otherAdmin, true)).Data("approveOrder", "status").GetString());
    }

    [Fact]
    public async Task Special_price_below_the_floor_covers_orders_only_once_approved_and_within_its_dates()
    {
        foreach (var sku in new[] { "P1", "P2", "P3", "P4" }) await channel.ProductAsync(sku, onHand: 1_000, listPrice: 10m, floorPrice: 8m);
        await channel.DealersAsync(["D", "E"], ["P1", "P2", "P3", "P4"]);
        async Task<string?> RequestSpecialPriceAsync(string requestId, string sku, DateTime validFrom) => (await api.ExecuteAsync(Callers.Dealer(channel.Tenant, "D"),
            "mutation($input: SpecialPriceInput!) { requestSpecialPrice(input: $input) { id status chain } }",
            new { input = new { requestId, dealerId = "D", sku, price = 7m, validFrom, validTo = validFrom.AddDays(30), expectedQuantity = 100 } }))
            .Data("requestSpecialPrice", "id").GetString();
        async Task ApproveAsync(string? id) =>
            Ok(await api.ExecuteAsync(eastManager, "mutation($id: ID!) { decideApproval(id: $id, approved: true, reason: \"volume deal\") { status } }", new { id }));
        var approvalId = await RequestSpecialPriceAsync("SP1", "P1", DateTime.UtcNow.AddDays(-1));

        Assert.Equal("PRICE_BELOW_FLOOR", (await channel.PlaceAsync("R1", "D", Line("P1", 10, 7m))).ErrorCode());
        await ApproveAsync(approvalId);
        await ApproveAsync(await RequestSpecialPriceAsync("SP3", "P3", DateTime.UtcNow.AddDays(5))); // not yet valid
        await ApproveAsync(await RequestSpecialPriceAsync("SP4", "P4", DateTime.UtcNow.AddDays(-40))); // expired ten days ago

        var covered = await channel.PlaceAsync("R2", "D", Line("P1", 10, 7m));
        var underSpecial = await channel.PlaceAsync("R3", "D", Line("P1", 10, 6.5m));
        Assert.Equal("PENDING_APPROVAL", covered.Data("placeOrder", "status").GetString());
        Assert.Equal(70m, covered.Data("placeOrder", "total").GetDecimal());
        Assert.Equal("PRICE_BELOW_FLOOR", underSpecial.ErrorCode());
        // Only that dealer, that SKU, those dates.
        Assert.Equal("PRICE_BELOW_FLOOR", (await channel.PlaceAsync("R4", "E", Line("P1", 10, 7m))).ErrorCode());
        Assert.Equal("PRICE_BELOW_FLOOR", (await channel.PlaceAsync("R5", "D", Line("P2", 10, 7m))).ErrorCode());
        Assert.Equal("PRICE_BELOW_FLOOR", (await channel.PlaceAsync("R6", "D", Line("P3", 10, 7m))).ErrorCode());
        Assert.Equal("PRICE_BELOW_FLOOR", (await channel.PlaceAsync("R7", "D", Line("P4", 10, 7m))).ErrorCode());
    }

    /// <summary>
    /// A retried placement has the order open its approval while a decision of that approval asks the order whether it
    /// still waits. Both grains take one call at a time: neither may wait for the other, or both stall until Orleans'
    /// timeout and fail. Here the decision is refused (the manager decided step 1; step 2 is an ADMIN's), after it asked.
    /// </summary>
    [Fact]
    public async Task A_placement_retried_while_its_approval_is_being_decided_does_not_wait_on_the_decision()
    {
        await SettingsAsync(orderApprovalAbove: 0m);
        await channel.ProductAsync("P1", onHand: 100_000);
        await channel.DealersAsync(["D"], ["P1"]);
        Ok(await channel.PlaceAsync("R1", "D", Line("P1", 50_000)));
        Ok(await ApproveOrderAsync(eastManager, true));

        for (var i = 0; i < 100; i++)
        {
            var retrying = channel.PlaceAsync("R1", "D", Line("P1", 50_000));
            var deciding = ApproveOrderAsync(eastManager, true);
            await Task.WhenAll(retrying, deciding);

            Assert.Equal("PENDING_APPROVAL", (await retrying).Data("placeOrder", "status").GetString());
            Assert.Equal("FORBIDDEN", (await deciding).ErrorCode());
        }
    }

    /// <summary>A cancelled order waits for no approval: its approval is withdrawn, and no decision is recorded on it.</summary>
    [Fact]
    public async Task A_cancelled_orders_approval_is_withdrawn_and_refuses_every_decision()
    {
        await OrderAwaitingApprovalAsync();

        Ok(await channel.MoveAsync("cancelOrder", "R1"));

        Assert.Empty((await api.ExecuteAsync(eastManager, "{ approvals { id } }")).Data("approvals").EnumerateArray());
        Assert.Equal("INVALID_TRANSITION", (await ApproveOrderAsync(eastManager, true)).ErrorCode());
        Assert.Equal("INVALID_TRANSITION", (await api.ExecuteAsync(channel.Admin,
            "mutation { decideApproval(id: \"order-R1\", approved: true, reason: \"late\") { status } }")).ErrorCode());
        var approval = (await ApprovalAsync("order-R1")).Data("approval");
        Assert.Equal(("WITHDRAWN", 0), (approval.GetProperty("status").GetString(), approval.GetProperty("history").GetArrayLength()));
        Assert.Equal("WITHDRAWN", (await api.ExecuteAsync(eastManager, "{ approvals(status: WITHDRAWN) { status } }")).Data("approvals")[0].GetProperty("status").GetString());
    }

    /// <summary>A cancel that stopped after the order was stored CANCELLED, before its approval was withdrawn.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_approval_its_cancel_did_not_reach_is_withdrawn_by_the_retried_cancel_or_by_the_next_decision(bool cancelRetried)
    {
        await OrderAwaitingApprovalAsync();
        await grains.GetGrain<IOrderGrain>(Keys.Of(channel.Tenant, "R1")).CancelAsync();

        var retried = cancelRetried ? await channel.MoveAsync("cancelOrder", "R1") : await ApproveOrderAsync(eastManager, true);

        // A cancel retried answers the order as it is (rule 7); a decision on an order that no longer waits is refused.
        Assert.Equal(cancelRetried ? null : "INVALID_TRANSITION", retried.ErrorCode());
        Assert.Empty((await api.ExecuteAsync(eastManager, "{ approvals { id } }")).Data("approvals").EnumerateArray());
        var approval = (await ApprovalAsync("order-R1")).Data("approval");
        Assert.Equal(("WITHDRAWN", 0), (approval.GetProperty("status").GetString(), approval.GetProperty("history").GetArrayLength()));
    }

    /// <summary>
    /// A cancel that stopped after the order was stored CANCELLED (the Api process was killed before it withdrew the
    /// approval; found by killing a durable Api mid-burst) and was never retried: the approval is not shown as waiting
    /// for an order that is final. It was, to every reader and in the approvers' list, until someone tried to decide it.
    /// </summary>
    [Fact]
    public async Task An_approval_whose_cancel_stopped_before_withdrawing_it_is_not_shown_waiting_for_the_cancelled_order()
    {
        await OrderAwaitingApprovalAsync();
        await grains.GetGrain<IOrderGrain>(Keys.Of(channel.Tenant, "R1")).CancelAsync();

        Assert.Empty((await api.ExecuteAsync(eastManager, "{ approvals { id } }")).Data("approvals").EnumerateArray());
        var approval = (await ApprovalAsync("order-R1")).Data("approval");
        Assert.Equal(("WITHDRAWN", 0), (approval.GetProperty("status").GetString(), approval.GetProperty("history").GetArrayLength()));
        Assert.Equal("order-R1", (await api.ExecuteAsync(eastManager, "{ approvals(status: WITHDRAWN) { id } }")).Data("approvals")[0].GetProperty("id").GetString());
    }

    /// <summary>Rule 7: a retry is compared by what it asks, not by what was read from other records when it was first asked.</summary>
    [Fact]
    public async Task A_retried_order_gets_its_first_result_after_its_dealer_was_renamed_or_moved_within_its_region()
    {
        await OrderAwaitingApprovalAsync();
        var first = (await ApprovalAsync("order-R1")).Data("approval").ToString();

        await channel.DealersAsync(["D"], ["P1"], name: "D Trading");
        var afterRename = await channel.PlaceAsync("R1", "D", Line("P1", 1));
        await channel.DealersAsync(["D"], ["P1"], name: "D Trading", region: "CN/East/Shanghai/Pudong");
        var afterMove = await channel.PlaceAsync("R1", "D", Line("P1", 1));

        Assert.Equal("PENDING_APPROVAL", afterRename.Data("placeOrder", "status").GetString());
        Assert.Equal("PENDING_APPROVAL", afterMove.Data("placeOrder", "status").GetString());
        Assert.Equal(first, (await ApprovalAsync("order-R1")).Data("approval").ToString());
    }

    [Fact]
    public async Task A_retried_special_price_request_gets_its_first_result_after_its_dealer_was_renamed_or_its_list_price_changed()
    {
        await channel.ProductAsync("P1", onHand: 0, listPrice: 10m, floorPrice: 8m);
        await channel.DealersAsync(["D"], ["P1"]);
        var first = (await RequestSpecialPriceAsync("SP1", "D")).Data("requestSpecialPrice").ToString();

        await channel.DealersAsync(["D"], ["P1"], name: "D Trading");
        var afterRename = await RequestSpecialPriceAsync("SP1", "D");
        await channel.ProductAsync("P1", onHand: 0, listPrice: 12m, floorPrice: 8m);
        var afterListPrice = await RequestSpecialPriceAsync("SP1", "D");

        Assert.Equal(first, afterRename.Data("requestSpecialPrice").ToString());
        Assert.Equal(first, afterListPrice.Data("requestSpecialPrice").ToString());
        // Other terms are another request, still refused.
        Assert.Equal("VALIDATION", (await RequestSpecialPriceAsync("SP1", "D", expectedQuantity: 200)).ErrorCode());
        Assert.Equal("VALIDATION", (await RequestSpecialPriceAsync("SP1", "D", price: 6m)).ErrorCode());
    }

    /// <summary>A requestId that another dealer's special price holds is refused before this dealer records anything.</summary>
    [Fact]
    public async Task A_special_price_request_refused_for_another_dealers_requestId_changes_nothing()
    {
        await channel.ProductAsync("P1", onHand: 0);
        await channel.DealersAsync(["D1", "D2"], ["P1"]);
        Ok(await RequestSpecialPriceAsync("x7", "D2"));

        Assert.Equal("VALIDATION", (await RequestSpecialPriceAsync("x7", "D1")).ErrorCode());

        Assert.Null((await StoredDealer.ReadAsync(storage, grains.GetGrain<IDealerGrain>(Keys.Of(channel.Tenant, "D1")))).SpecialPrices);
        var otherTerms = await RequestSpecialPriceAsync("x7", "D1", price: 6m);
        Assert.Equal("This approval was opened for another request.", otherTerms.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    /// <summary>
    /// Two first requests for one new requestId, for two dealers at once, can both pass the check made before the dealer
    /// records its price: one opens the approval, the other is refused, and its dealer keeps no price that nothing decides.
    /// </summary>
    [Fact]
    public async Task Of_two_dealers_asking_at_once_under_one_new_requestId_the_refused_one_keeps_no_special_price()
    {
        await channel.ProductAsync("P1", onHand: 0);
        await channel.DealersAsync(["D1", "D2"], ["P1"]);

        for (var i = 0; i < 30; i++)
        {
            var requestId = $"race{i}";
            var answers = await Task.WhenAll(RequestSpecialPriceAsync(requestId, "D1"), RequestSpecialPriceAsync(requestId, "D2"));

            Assert.Single(answers, a => a.ErrorCode() is null);
            Assert.Equal("VALIDATION", Assert.Single(answers, a => a.ErrorCode() is not null).ErrorCode());
            var owner = (await api.ExecuteAsync(channel.Admin, "query($id: ID!) { approval(id: $id) { subjectId } }", new { id = $"special-price-{requestId}" }))
                .Data("approval", "subjectId").GetString();
            foreach (var dealerId in new[] { "D1", "D2" })
            {
                var prices = (await StoredDealer.ReadAsync(storage, grains.GetGrain<IDealerGrain>(Keys.Of(channel.Tenant, dealerId)))).SpecialPrices;
                Assert.Equal(dealerId == owner, prices?.ContainsKey($"special-price-{requestId}") == true);
            }
        }
    }

    [Theory]
    [InlineData("12345678901234567890123456")]
    [InlineData("500000.123456789")]
    public async Task A_single_admin_threshold_that_is_not_money_is_refused_and_changes_nothing(string singleAdminApprovesUpTo)
    {
        await SettingsAsync(orderApprovalAbove: 1_000m);

        var refused = await UpdateSettingsAsync(orderApprovalAbove: 2_000m, decimal.Parse(singleAdminApprovesUpTo, CultureInfo.InvariantCulture));

        Assert.Equal("VALIDATION", refused.ErrorCode());
        var settings = (await api.ExecuteAsync(channel.Admin, "{ tenantSettings { orderApprovalAbove singleAdminApprovesUpTo } }")).Data("tenantSettings");
        Assert.Equal((1_000m, 500_000m), (settings.GetProperty("orderApprovalAbove").GetDecimal(), settings.GetProperty("singleAdminApprovesUpTo").GetDecimal()));
    }

    [Theory]
    [InlineData("7.123456", "2026-03-01", "2026-03-31")]
    [InlineData("7", "0001-01-01", "2026-03-31")]
    [InlineData("7", "2026-03-01", "9999-12-31")]
    public async Task A_special_price_with_more_than_four_decimals_or_a_date_out_of_the_channels_years_is_refused_and_changes_nothing(
        string price, string validFrom, string validTo)
    {
        await channel.ProductAsync("P1", onHand: 0);
        await channel.DealersAsync(["D"], ["P1"]);
        static DateTime Utc(string date) => DateTime.Parse(date, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

        var refused = await RequestSpecialPriceAsync("SP1", "D", decimal.Parse(price, CultureInfo.InvariantCulture), validFrom: Utc(validFrom), validTo: Utc(validTo));

        Assert.Equal("VALIDATION", refused.ErrorCode());
        Assert.Equal(JsonValueKind.Null, (await ApprovalAsync("special-price-SP1")).Data("approval").ValueKind);
        Assert.Null((await StoredDealer.ReadAsync(storage, grains.GetGrain<IDealerGrain>(Keys.Of(channel.Tenant, "D")))).SpecialPrices);
    }

    [Fact]
    public async Task Admission_makes_a_pending_dealer_admitted_after_manager_and_admin_approve()
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"], status: "PENDING");
        var opened = await api.ExecuteAsync(eastManager, "mutation { requestDealerAdmission(dealerId: \"D\") { id chain } }");
        var id = opened.Data("requestDealerAdmission", "id").GetString();
        const string decide = "mutation($id: ID!) { decideApproval(id: $id, approved: true, reason: \"documents checked\") { status } }";

        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(eastManager, decide, new { id })).ErrorCode());
        Ok(await api.ExecuteAsync(Callers.Manager(channel.Tenant, "CN/East/Shanghai") with { Subject = "m2" }, decide, new { id }));
        Assert.Equal("NOT_AUTHORIZED", (await channel.PlaceAsync("R1", "D", Line("P1", 1))).ErrorCode());
        Ok(await api.ExecuteAsync(channel.Admin, decide, new { id }));

        Assert.Equal("ADMITTED", (await api.ExecuteAsync(channel.Admin, "{ dealer(id: \"D\") { status } }")).Data("dealer", "status").GetString());
        Ok(await channel.PlaceAsync("R2", "D", Line("P1", 1)));
        var pending = await api.ExecuteAsync(eastManager, "{ approvals { id } }");
        Assert.Equal(0, pending.Data("approvals").GetArrayLength());
    }

    /// <summary>An admission asked again after a rejection is a new approval; asked while one is open, it is that one, whoever asks.</summary>
    [Fact]
    public async Task A_rejected_admission_may_be_asked_again_and_asking_while_one_is_open_returns_it()
    {
        await channel.ProductAsync("P1", onHand: 10);
        await channel.DealersAsync(["D"], ["P1"], status: "PENDING");
        var shanghaiManager = Callers.Manager(channel.Tenant, "CN/East/Shanghai") with { Subject = "m2" };
        async Task<string> RequestAsync(Caller caller) =>
            (await api.ExecuteAsync(caller, "mutation { requestDealerAdmission(dealerId: \"D\") { id } }")).Data("requestDealerAdmission", "id").GetString()!;
        Task<JsonElement> DecideAsync(Caller caller, string id, bool approved) => api.ExecuteAsync(caller,
            "mutation($id: ID!, $approved: Boolean!) { decideApproval(id: $id, approved: $approved, reason: \"documents\") { status } }", new { id, approved });

        var first = await RequestAsync(eastManager);
        Assert.Equal(first, await RequestAsync(channel.Admin));
        Assert.Equal(first, await RequestAsync(eastManager));
        Ok(await DecideAsync(shanghaiManager, first, approved: false));
        var second = await RequestAsync(eastManager);

        Assert.NotEqual(first, second);
        Assert.Equal(second, await RequestAsync(channel.Admin));
        Assert.Equal("REJECTED", (await ApprovalAsync(first)).Data("approval", "status").GetString());
        Assert.Equal([first], (await api.ExecuteAsync(eastManager, "{ approvals(status: REJECTED) { id } }")).Data("approvals").EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        Ok(await DecideAsync(shanghaiManager, second, approved: true));
        Ok(await DecideAsync(channel.Admin, second, approved: true));
        Assert.Equal("ADMITTED", (await api.ExecuteAsync(channel.Admin, "{ dealer(id: \"D\") { status } }")).Data("dealer", "status").GetString());
    }

    [Fact]
    public async Task Pending_approvals_are_listed_for_the_managers_of_their_region_only()
    {
        await OrderAwaitingApprovalAsync();

        Assert.Single((await api.ExecuteAsync(eastManager, "{ approvals { id } }")).Data("approvals").EnumerateArray());
        Assert.Empty((await api.ExecuteAsync(Callers.Manager(channel.Tenant, "CN/North"), "{ approvals { id } }")).Data("approvals").EnumerateArray());
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(Callers.Dealer(channel.Tenant, "D"), "{ approvals { id } }")).ErrorCode());
    }

    [Fact]
    public async Task An_approval_the_inbox_still_holds_as_pending_is_not_listed_as_waiting_once_decided()
    {
        await OrderAwaitingApprovalAsync();
        var id = (await api.ExecuteAsync(eastManager, "{ approvals { id } }")).Data("approvals")[0].GetProperty("id").GetString()!;
        Ok(await ApproveOrderAsync(eastManager, approved: false, "no"));

        // The inbox missed the decision (its update failed after the approval was saved): it still holds it as waiting.
        var decided = await grains.GetGrain<ChannelGrains.Approvals.IApprovalGrain>(ChannelGrains.Common.Keys.Of(channel.Tenant, id)).GetAsync();
        Assert.Equal(ChannelGrains.Approvals.ApprovalStatus.Rejected, decided!.Status);
        await grains.GetGrain<ChannelGrains.Approvals.IApprovalInboxGrain>(channel.Tenant).PutAsync(decided with { Status = ChannelGrains.Approvals.ApprovalStatus.Pending });

        Assert.Empty((await api.ExecuteAsync(eastManager, "{ approvals { id } }")).Data("approvals").EnumerateArray());
        Assert.Equal(id, (await api.ExecuteAsync(eastManager, "{ approvals(status: REJECTED) { id } }")).Data("approvals")[0].GetProperty("id").GetString());
    }

    public void Dispose() => api.Dispose();
}
