using System.Text.Json;
using ChannelGrains.Tests.Infrastructure;
using ChannelGrains.Tests.Ordering;

namespace ChannelGrains.Tests.Partners;

/// <summary>Rule 19: partners see only themselves, managers only their region subtree, no one another tenant.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AccessTests(ClusterFixture fixture) : IDisposable
{
    private readonly InProcessGraphQL api = new(fixture.Grains, fixture.Cluster.Client);
    private readonly string tenant = TestTenant.New();

    private const string Upsert = "mutation($input: DealerInput!) { upsertDealer(input: $input) { id } }";
    private const string Read = "query($id: ID!) { dealer(id: $id) { id name } }";
    private const string List = "query($region: String) { dealers(region: $region, first: 500) { totalCount } }";

    private async Task SeedAsync()
    {
        foreach (var (id, region) in new[] { ("SH1", "CN/East/Shanghai"), ("HZ1", "CN/East/Hangzhou"), ("BJ1", "CN/North/Beijing") })
        {
            var result = await api.ExecuteAsync(Callers.Admin(tenant), Upsert,
                new { input = new { id, name = id, region, tier = "VALUE", status = "ADMITTED", creditLimit = 100m } });
            Assert.Null(result.ErrorCode());
        }
    }

    [Fact]
    public async Task Dealer_token_reads_itself_and_nothing_else()
    {
        await SeedAsync();

        var own = await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), Read, new { id = "SH1" });
        var other = await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), Read, new { id = "BJ1" });
        var missing = await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), Read, new { id = "nobody" });
        var listing = await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), List, new { });

        Assert.Equal("SH1", own.Data("dealer", "id").GetString());
        Assert.Equal("FORBIDDEN", other.ErrorCode());
        Assert.Equal("FORBIDDEN", missing.ErrorCode());
        Assert.Equal("FORBIDDEN", listing.ErrorCode());
    }

    /// <summary>Rule 19: a dealer's own record is the manufacturer's to change: its token cannot raise its credit limit or move itself.</summary>
    [Fact]
    public async Task Dealer_token_cannot_change_its_own_dealer_record()
    {
        await SeedAsync();
        var self = new { id = "SH1", name = "SH1", region = "CN/East/Shanghai", tier = "STRATEGIC", status = "ADMITTED", creditLimit = 1_000_000m };

        var one = await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), Upsert, new { input = self });
        var batch = await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), "mutation($inputs: [DealerInput!]!) { upsertDealers(inputs: $inputs) { id } }",
            new { inputs = new[] { self with { region = "CN/North/Beijing" } } });

        Assert.Equal("FORBIDDEN", one.ErrorCode());
        Assert.Equal("FORBIDDEN", batch.ErrorCode());
        var stored = (await api.ExecuteAsync(Callers.Admin(tenant), "{ dealer(id: \"SH1\") { region tier creditLimit } }")).Data("dealer");
        Assert.Equal(("CN/East/Shanghai", "VALUE", 100m),
            (stored.GetProperty("region").GetString(), stored.GetProperty("tier").GetString(), stored.GetProperty("creditLimit").GetDecimal()));
    }

    [Fact]
    public async Task Manager_sees_and_changes_only_its_region_subtree()
    {
        await SeedAsync();
        var east = Callers.Manager(tenant, "CN/East");

        var inside = await api.ExecuteAsync(east, Read, new { id = "HZ1" });
        var outside = await api.ExecuteAsync(east, Read, new { id = "BJ1" });
        var ownListing = await api.ExecuteAsync(east, List, new { });
        var wideListing = await api.ExecuteAsync(east, List, new { region = "CN" });
        var moveOut = await api.ExecuteAsync(east, Upsert, new { input = new { id = "SH1", name = "SH1", region = "CN/North/Beijing", tier = "VALUE", status = "ADMITTED", creditLimit = 100m } });
        var takeOver = await api.ExecuteAsync(east, Upsert, new { input = new { id = "BJ1", name = "BJ1", region = "CN/East/Shanghai", tier = "VALUE", status = "ADMITTED", creditLimit = 100m } });

        Assert.Equal("HZ1", inside.Data("dealer", "id").GetString());
        Assert.Equal("FORBIDDEN", outside.ErrorCode());
        Assert.Equal(2, ownListing.Data("dealers", "totalCount").GetInt32());
        Assert.Equal("FORBIDDEN", wideListing.ErrorCode());
        Assert.Equal("FORBIDDEN", moveOut.ErrorCode());
        Assert.Equal("FORBIDDEN", takeOver.ErrorCode());
        Assert.Equal("CN/North/Beijing", (await api.ExecuteAsync(Callers.Admin(tenant), "{ dealer(id: \"BJ1\") { region } }")).Data("dealer", "region").GetString());
    }

    [Fact]
    public async Task A_managers_listing_leaves_out_a_dealer_moved_out_of_its_region_whose_index_entry_was_not_written()
    {
        await SeedAsync();
        // The dealer moved, and the index write that follows the dealer's failed (the mutation failed, and was never retried).
        await fixture.Grains.GetGrain<ChannelGrains.Partners.IDealerGrain>(ChannelGrains.Common.Keys.Of(tenant, "SH1")).UpsertAsync(
            new ChannelGrains.Partners.DealerInfo("SH1", "SH1", "CN/North/Beijing", ChannelGrains.Partners.DealerTier.Value, ChannelGrains.Partners.DealerStatus.Admitted, 100m, null));

        var listing = (await api.ExecuteAsync(Callers.Manager(tenant, "CN/East"), "{ dealers(first: 500) { edges { node { id region } } } }")).Data("dealers", "edges");

        Assert.Equal(["HZ1"], listing.EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Nothing_crosses_tenants()
    {
        await SeedAsync();
        var otherTenant = TestTenant.New();

        var read = await api.ExecuteAsync(Callers.Admin(otherTenant), Read, new { id = "SH1" });
        var listing = await api.ExecuteAsync(Callers.Admin(otherTenant), List, new { });

        Assert.Equal(System.Text.Json.JsonValueKind.Null, read.Data("dealer").ValueKind);
        Assert.Equal(0, listing.Data("dealers", "totalCount").GetInt32());
    }

    [Fact]
    public async Task Rep_sees_stores_of_its_region_and_dealer_sees_its_own_stores()
    {
        await SeedAsync();
        const string upsertStore = "mutation($input: StoreInput!) { upsertStore(input: $input) { id } }";
        await api.ExecuteAsync(Callers.Admin(tenant), upsertStore, new { input = new { id = "S1", name = "Shop 1", dealerId = "SH1", region = "CN/East/Shanghai", latitude = 31.2, longitude = 121.5 } });
        await api.ExecuteAsync(Callers.Admin(tenant), upsertStore, new { input = new { id = "S2", name = "Shop 2", region = "CN/North/Beijing" } });
        const string read = "query($id: ID!) { store(id: $id) { id dealerId } }";

        Assert.Equal("S1", (await api.ExecuteAsync(Callers.Rep(tenant, "R1", "CN/East"), read, new { id = "S1" })).Data("store", "id").GetString());
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(Callers.Rep(tenant, "R1", "CN/East"), read, new { id = "S2" })).ErrorCode());
        Assert.Equal("S1", (await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), read, new { id = "S1" })).Data("store", "id").GetString());
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), read, new { id = "S2" })).ErrorCode());
    }

    [Fact]
    public async Task A_store_is_attached_only_to_a_dealer_that_exists_and_that_the_caller_manages()
    {
        await SeedAsync();
        const string upsertStore = "mutation($input: StoreInput!) { upsertStore(input: $input) { id } }";
        const string upsertStores = "mutation($inputs: [StoreInput!]!) { upsertStores(inputs: $inputs) { id } }";
        var east = Callers.Manager(tenant, "CN/East");
        object Store(string id, string dealerId) => new { id, name = id, dealerId, region = "CN/East/Shanghai" };

        var missing = await api.ExecuteAsync(Callers.Admin(tenant), upsertStore, new { input = Store("S1", "NOBODY") });
        var otherRegion = await api.ExecuteAsync(east, upsertStore, new { input = Store("S2", "BJ1") });
        var batch = await api.ExecuteAsync(east, upsertStores, new { inputs = new[] { Store("S3", "SH1"), Store("S4", "BJ1") } });
        var own = await api.ExecuteAsync(east, upsertStore, new { input = Store("S5", "SH1") });

        Assert.Equal("NOT_FOUND", missing.ErrorCode());
        Assert.Equal("FORBIDDEN", otherRegion.ErrorCode());
        Assert.Equal("FORBIDDEN", batch.ErrorCode());
        Assert.Equal("S5", own.Data("upsertStore", "id").GetString());
        foreach (var id in new[] { "S1", "S2", "S3", "S4" })
            Assert.Equal(JsonValueKind.Null, (await api.ExecuteAsync(Callers.Admin(tenant), "query($id: ID!) { store(id: $id) { id } }", new { id })).Data("store").ValueKind);
    }

    /// <summary>Ids are the integrator's own, so a rep or an agent may have a dealer's id: a token is its role's partner only.</summary>
    [Fact]
    public async Task A_partner_token_sees_only_records_of_its_own_kind_under_its_id()
    {
        await SeedAsync();
        const string upsertStore = "mutation($input: StoreInput!) { upsertStore(input: $input) { id } }";
        await api.ExecuteAsync(Callers.Admin(tenant), upsertStore, new { input = new { id = "S1", name = "Shop 1", dealerId = "SH1", region = "CN/North/Beijing" } });
        await api.ExecuteAsync(Callers.Admin(tenant), "mutation($input: AgentInput!) { upsertAgent(input: $input) { id } }", new { input = new { id = "SH1", name = "Agent SH1", region = "CN/East" } });
        var rep = new ChannelGrains.Api.Auth.Caller(tenant, ChannelGrains.Api.Auth.Role.Rep, "SH1", "");
        var agent = new ChannelGrains.Api.Auth.Caller(tenant, ChannelGrains.Api.Auth.Role.Agent, "SH1", "");

        foreach (var partner in new[] { rep, agent })
        {
            Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(partner, Read, new { id = "SH1" })).ErrorCode());
            Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(partner, "{ store(id: \"S1\") { id } }")).ErrorCode());
        }
        Assert.Equal("SH1", (await api.ExecuteAsync(agent, "{ agent(id: \"SH1\") { id } }")).Data("agent", "id").GetString());
        // An approval its dealer requested is read by that dealer as its requester, not by a rep of the same id.
        await new ChannelGrains.Tests.Ordering.OrderingScenario(api, tenant).ProductAsync("P1", onHand: 0);
        Assert.Null((await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = new { id = "SH1", name = "SH1", region = "CN/East/Shanghai", tier = "VALUE",
            status = "ADMITTED", creditLimit = 100m, authorizedSkus = new[] { "P1" } } })).ErrorCode());
        var requested = await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), "mutation($input: SpecialPriceInput!) { requestSpecialPrice(input: $input) { id } }",
            new { input = new { requestId = "SP1", dealerId = "SH1", sku = "P1", price = 7m, validFrom = DateTime.UtcNow, validTo = DateTime.UtcNow.AddDays(30) } });
        var approval = new { id = requested.Data("requestSpecialPrice", "id").GetString() };
        const string readApproval = "query($id: ID!) { approval(id: $id) { requestedBy } }";
        Assert.Equal("SH1", (await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), readApproval, approval)).Data("approval", "requestedBy").GetString());
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(rep, readApproval, approval)).ErrorCode());
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), "{ agent(id: \"SH1\") { id } }")).ErrorCode());
        Assert.Equal("S1", (await api.ExecuteAsync(Callers.Dealer(tenant, "SH1"), "{ store(id: \"S1\") { id } }")).Data("store", "id").GetString());
    }

    [Fact]
    public async Task Agent_token_reads_only_its_own_agent_record()
    {
        const string upsertAgent = "mutation($input: AgentInput!) { upsertAgent(input: $input) { id region } }";
        await api.ExecuteAsync(Callers.Admin(tenant), upsertAgent, new { input = new { id = "A1", name = "Agent 1", region = "CN/East" } });
        await api.ExecuteAsync(Callers.Admin(tenant), upsertAgent, new { input = new { id = "A2", name = "Agent 2", region = "CN/East" } });
        var agent = new ChannelGrains.Api.Auth.Caller(tenant, ChannelGrains.Api.Auth.Role.Agent, "A1", "");

        Assert.Equal("A1", (await api.ExecuteAsync(agent, "{ agent(id: \"A1\") { id } }")).Data("agent", "id").GetString());
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(agent, "{ agent(id: \"A2\") { id } }")).ErrorCode());
        Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(agent, upsertAgent, new { input = new { id = "A1", name = "Me", region = "CN" } })).ErrorCode());
    }

    [Fact]
    public async Task A_managers_subscriptions_refuse_a_dealer_that_does_not_exist_and_a_dealer_moved_out_of_its_region()
    {
        var scenario = new OrderingScenario(api, tenant);
        await scenario.ProductAsync("P1", onHand: 10);
        await scenario.DealersAsync(["SH1"], ["P1"]);
        var orderId = (await scenario.PlaceAsync("r1", "SH1", OrderingScenario.Line("P1", 1))).Data("placeOrder", "id").GetString();
        var east = Callers.Manager(tenant, "CN/East");

        // A dealer created later in a region the manager does not see must not reach it.
        using var missing = await api.SubscribeAsync(east, "subscription { dealerChanged(id: \"GHOST\") { id } }");
        using var dealer = await api.SubscribeAsync(east, "subscription { dealerChanged(id: \"SH1\") { id region } }");
        using var orders = await api.SubscribeAsync(east, "subscription { orderChanged(dealerId: \"SH1\") { id status } }");
        Assert.Equal("NOT_FOUND", missing.Refusal?.ErrorCode());
        Assert.Equal("CN/East/Shanghai", (await dealer.NextAsync()).Data("dealerChanged", "region").GetString());
        Assert.Equal(orderId, (await orders.NextAsync()).Data("orderChanged", "id").GetString());

        await scenario.DealersAsync(["SH1"], ["P1"], region: "CN/North/Beijing");
        OrderingScenario.Ok(await scenario.MoveAsync("cancelOrder", orderId!));

        var dealerSeen = await UntilRefusedAsync(dealer);
        var ordersSeen = await UntilRefusedAsync(orders);
        Assert.DoesNotContain(dealerSeen, d => d.GetProperty("dealerChanged").GetProperty("region").GetString() != "CN/East/Shanghai");
        Assert.DoesNotContain(ordersSeen, o => o.GetProperty("orderChanged").GetProperty("status").GetString() == "CANCELLED");
    }

    /// <summary>The data of the events before the first refused one, which must be FORBIDDEN.</summary>
    private static async Task<List<JsonElement>> UntilRefusedAsync(InProcessSubscription subscription)
    {
        var seen = new List<JsonElement>();
        var next = await subscription.NextAsync();
        for (; next.ErrorCode() is null; next = await subscription.NextAsync()) seen.Add(next.GetProperty("data"));
        Assert.Equal("FORBIDDEN", next.ErrorCode());
        return seen;
    }

    public void Dispose() => api.Dispose();
}
