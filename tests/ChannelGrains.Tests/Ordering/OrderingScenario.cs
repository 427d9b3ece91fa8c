using System.Text.Json;
using ChannelGrains.Api.Auth;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Ordering;

/// <summary>A tenant with products and admitted dealers, and the GraphQL calls the ordering tests make.</summary>
public sealed class OrderingScenario(InProcessGraphQL api, string tenant)
{
    public Caller Admin { get; } = Callers.Admin(tenant);

    public string Tenant => tenant;

    public async Task ProductAsync(string sku, int onHand, decimal listPrice = 10m, decimal floorPrice = 8m)
    {
        Ok(await api.ExecuteAsync(Admin, "mutation($input: ProductInput!) { upsertProduct(input: $input) { sku } }",
            new { input = new { sku, name = sku, listPrice, floorPrice } }));
        if (onHand > 0)
            Ok(await api.ExecuteAsync(Admin, "mutation($sku: ID!, $delta: Int!) { adjustStock(sku: $sku, delta: $delta, reason: \"received\") { sku } }", new { sku, delta = onHand }));
    }

    /// <summary>Creates or updates the dealers, each named <paramref name="name"/> (by default its id).</summary>
    public async Task DealersAsync(IEnumerable<string> ids, string[] skus, decimal creditLimit = 1_000_000m, string status = "ADMITTED", string region = "CN/East/Shanghai",
        string? name = null) =>
        Ok(await api.ExecuteAsync(Admin, "mutation($inputs: [DealerInput!]!) { upsertDealers(inputs: $inputs) { id } }",
            new { inputs = ids.Select(id => new { id, name = name ?? id, region, tier = "VALUE", status, creditLimit, authorizedSkus = skus }).ToArray() }));

    public Task<JsonElement> PlaceAsync(string requestId, string dealerId, params object[] lines) => PlaceAsAsync(Admin, requestId, dealerId, lines);

    public Task<JsonElement> PlaceAsAsync(Caller caller, string requestId, string dealerId, params object[] lines) =>
        api.ExecuteAsync(caller, "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status total lines { sku quantity unitPrice } } }",
            new { input = new { requestId, dealerId, lines } });

    public static object Line(string sku, int quantity, decimal? unitPrice = null) => new { sku, quantity, unitPrice };

    public Task<JsonElement> MoveAsync(string mutation, string orderId, Caller? caller = null) =>
        api.ExecuteAsync(caller ?? Admin, $"mutation($id: ID!) {{ {mutation}(id: $id) {{ id status }} }}", new { id = orderId });

    public async Task<JsonElement> ProductOf(string sku) =>
        (await api.ExecuteAsync(Admin, "query($sku: ID!) { product(sku: $sku) { onHand reserved available } }", new { sku })).Data("product");

    public async Task<JsonElement> DealerOf(string id) =>
        (await api.ExecuteAsync(Admin, "query($id: ID!) { dealer(id: $id) { creditUsed inventory { sku onHand inTransit } } }", new { id })).Data("dealer");

    public static (int OnHand, int InTransit) Stock(JsonElement dealer, string sku) =>
        dealer.GetProperty("inventory").EnumerateArray().Where(s => s.GetProperty("sku").GetString() == sku)
            .Select(s => (s.GetProperty("onHand").GetInt32(), s.GetProperty("inTransit").GetInt32())).SingleOrDefault();

    public static void Ok(JsonElement result) => Assert.True(result.ErrorCode() is null, result.ToString());
}
