using System.Text.Json;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Partners;

[Collection(ClusterCollection.Name)]
public sealed class DealerApiTests(ClusterFixture fixture) : IDisposable
{
    private readonly InProcessGraphQL api = new(fixture.Grains, fixture.Cluster.Client);
    private readonly string tenant = TestTenant.New();

    private const string Upsert = "mutation($input: DealerInput!) { upsertDealer(input: $input) { id name region tier status creditLimit creditUsed } }";
    private const string Bulk = "mutation($inputs: [DealerInput!]!) { upsertDealers(inputs: $inputs) { id status } }";
    private const string Read = "query($id: ID!) { dealer(id: $id) { id name region tier status creditLimit } }";
    private const string List = "query($region: String, $tier: DealerTier, $first: Int, $after: String) { dealers(region: $region, tier: $tier, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id region tier } } } }";

    private static object Dealer(string id, string region = "CN/East/Shanghai", string tier = "VALUE", string status = "ADMITTED", decimal credit = 1000m) =>
        new { id, name = $"Dealer {id}", region, tier, status, creditLimit = credit, authorizedSkus = new[] { "P1" } };

    [Fact]
    public async Task Upserted_dealer_reads_back()
    {
        await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = Dealer("D1", tier: "STRATEGIC") });

        var dealer = (await api.ExecuteAsync(Callers.Admin(tenant), Read, new { id = "D1" })).Data("dealer");

        Assert.Equal("CN/East/Shanghai", dealer.GetProperty("region").GetString());
        Assert.Equal("STRATEGIC", dealer.GetProperty("tier").GetString());
        Assert.Equal("ADMITTED", dealer.GetProperty("status").GetString());
        Assert.Equal(1000m, dealer.GetProperty("creditLimit").GetDecimal());
    }

    [Theory]
    [InlineData("", "CN/East", "VALUE", 10)]
    [InlineData("D2", "CN//East", "VALUE", 10)]
    [InlineData("D2", "/CN", "VALUE", 10)]
    [InlineData("D2", "CN/East/", "VALUE", 10)]
    [InlineData("D2", "CN East", "VALUE", 10)]
    [InlineData("D2", "CN/East", "GOLD", 10)]
    [InlineData("D2", "CN/East", "VALUE", -1)]
    public async Task Invalid_dealer_is_refused_with_validation_and_changes_nothing(string id, string region, string tier, decimal credit)
    {
        var result = await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = Dealer(id, region, tier, credit: credit) });

        Assert.Equal("VALIDATION", result.ErrorCode());
        Assert.Equal(0, (await api.ExecuteAsync(Callers.Admin(tenant), List, new { })).Data("dealers", "totalCount").GetInt32());
    }

    [Fact]
    public async Task Terminated_dealer_cannot_be_readmitted()
    {
        await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = Dealer("D3", status: "TERMINATED") });

        var result = await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = Dealer("D3", status: "ADMITTED") });

        Assert.Equal("INVALID_TRANSITION", result.ErrorCode());
        Assert.Equal("TERMINATED", (await api.ExecuteAsync(Callers.Admin(tenant), Read, new { id = "D3" })).Data("dealer", "status").GetString());
    }

    [Fact]
    public async Task Suspended_dealer_can_be_admitted_again_but_pending_cannot_be_suspended()
    {
        await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = Dealer("D4", status: "SUSPENDED") });
        await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = Dealer("D5", status: "PENDING") });

        var readmitted = await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = Dealer("D4", status: "ADMITTED") });
        var refused = await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = Dealer("D5", status: "SUSPENDED") });

        Assert.Null(readmitted.ErrorCode());
        Assert.Equal("INVALID_TRANSITION", refused.ErrorCode());
    }

    [Fact]
    public async Task Listing_pages_through_every_dealer_of_a_region_once_with_a_total_count()
    {
        var east = Enumerable.Range(0, 120).Select(i => Dealer($"E{i:000}", "CN/East/" + (i % 2 == 0 ? "Shanghai" : "Hangzhou"), i % 3 == 0 ? "STRATEGIC" : "VALUE"));
        var north = Enumerable.Range(0, 30).Select(i => Dealer($"N{i:000}", "CN/North/Beijing"));
        await api.ExecuteAsync(Callers.Admin(tenant), Bulk, new { inputs = east.Concat(north).ToArray() });

        var seen = new List<string>();
        string? after = null;
        int total;
        do
        {
            var page = (await api.ExecuteAsync(Callers.Admin(tenant), List, new { region = "CN/East", first = 25, after })).Data("dealers");
            total = page.GetProperty("totalCount").GetInt32();
            seen.AddRange(page.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()!));
            after = page.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean() ? page.GetProperty("pageInfo").GetProperty("endCursor").GetString() : null;
        } while (after is not null);

        Assert.Equal(120, total);
        Assert.Equal(Enumerable.Range(0, 120).Select(i => $"E{i:000}"), seen);
        var strategic = (await api.ExecuteAsync(Callers.Admin(tenant), List, new { region = "CN/East", tier = "STRATEGIC", first = 500 })).Data("dealers");
        Assert.Equal(40, strategic.GetProperty("totalCount").GetInt32());
        Assert.All(strategic.GetProperty("edges").EnumerateArray(), e => Assert.Equal("STRATEGIC", e.GetProperty("node").GetProperty("tier").GetString()));
        Assert.Equal(150, (await api.ExecuteAsync(Callers.Admin(tenant), List, new { })).Data("dealers", "totalCount").GetInt32());
    }

    [Fact]
    public async Task Region_filter_matches_whole_path_segments_only()
    {
        await api.ExecuteAsync(Callers.Admin(tenant), Bulk, new { inputs = new[] { Dealer("A", "CN/East"), Dealer("B", "CN/Eastern") } });

        var page = (await api.ExecuteAsync(Callers.Admin(tenant), List, new { region = "CN/East" })).Data("dealers");

        Assert.Equal(1, page.GetProperty("totalCount").GetInt32());
    }

    [Theory]
    [InlineData(-1, null)]
    [InlineData(501, null)]
    [InlineData(10, "not-a-cursor")]
    public async Task Bad_paging_arguments_are_refused_with_validation(int first, string? after)
    {
        var result = await api.ExecuteAsync(Callers.Admin(tenant), List, new { first, after });

        Assert.Equal("VALIDATION", result.ErrorCode());
    }

    [Fact]
    public async Task Bulk_load_with_one_malformed_record_writes_nothing()
    {
        var batch = Enumerable.Range(0, 50).Select(i => Dealer($"M{i}", i == 37 ? "CN//East" : "CN/East")).ToArray();

        var result = await api.ExecuteAsync(Callers.Admin(tenant), Bulk, new { inputs = batch });

        Assert.Equal("VALIDATION", result.ErrorCode());
        Assert.Equal(0, (await api.ExecuteAsync(Callers.Admin(tenant), List, new { })).Data("dealers", "totalCount").GetInt32());
    }

    [Fact]
    public async Task Bulk_load_reports_a_state_refusal_at_its_index_and_writes_the_rest()
    {
        await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = Dealer("T1", status: "TERMINATED") });

        var result = await api.ExecuteAsync(Callers.Admin(tenant), Bulk, new { inputs = new[] { Dealer("OK1"), Dealer("T1"), Dealer("OK2") } });

        var error = result.GetProperty("errors")[0];
        Assert.Equal("INVALID_TRANSITION", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal(1, error.GetProperty("path")[1].GetInt32());
        var dealers = result.GetProperty("data").GetProperty("upsertDealers");
        Assert.Equal(JsonValueKind.Null, dealers[1].ValueKind);
        Assert.Equal("OK2", dealers[2].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Retried_upsert_is_applied_once()
    {
        var first = (await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = Dealer("R1") })).Data("upsertDealer");
        var retry = (await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = Dealer("R1") })).Data("upsertDealer");

        Assert.Equal(first.ToString(), retry.ToString());
        Assert.Equal(1, (await api.ExecuteAsync(Callers.Admin(tenant), List, new { })).Data("dealers", "totalCount").GetInt32());
    }

    [Fact]
    public async Task Concurrent_loads_moving_the_same_dealers_leave_the_listing_where_each_dealer_is()
    {
        var ids = Enumerable.Range(0, 300).Select(i => $"C{i:000}").ToArray();
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(
                api.ExecuteAsync(Callers.Admin(tenant), Bulk, new { inputs = ids.Select(id => Dealer(id, "CN/East/Shanghai")).ToArray() }),
                api.ExecuteAsync(Callers.Admin(tenant), Bulk, new { inputs = ids.Select(id => Dealer(id, "CN/North/Beijing")).ToArray() }));

            var regions = new Dictionary<string, string>();
            foreach (var id in ids) regions[id] = (await api.ExecuteAsync(Callers.Admin(tenant), Read, new { id })).Data("dealer", "region").GetString()!;
            var east = (await api.ExecuteAsync(Callers.Admin(tenant), List, new { region = "CN/East", first = 500 })).Data("dealers", "edges")
                .EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()!).ToHashSet();

            var misplaced = ids.Where(id => east.Contains(id) != (regions[id] == "CN/East/Shanghai")).ToArray();
            Assert.True(misplaced.Length == 0, $"Round {round}: {misplaced.Length} dealers are listed in a region they are not in, e.g. {string.Join(", ", misplaced.Take(5))}");
        }
    }

    public void Dispose() => api.Dispose();
}
