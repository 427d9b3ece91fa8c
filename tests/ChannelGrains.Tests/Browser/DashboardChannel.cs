using System.Globalization;
using System.Text.Json;
using ChannelGrains.Api.Auth;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Browser;

/// <summary>A small channel in its own tenant, seeded through the real API: two SKUs, dealers in CN/East and CN/North, orders, quotas, sell-out.</summary>
public sealed class DashboardChannel(Uri api) : IDisposable
{
    public static readonly string Month = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public string Tenant { get; } = TestTenant.New();

    public string AdminToken => ApiClient.Token(Callers.Admin(Tenant));

    public string ManagerToken(string region) => ApiClient.Token(Callers.Manager(Tenant, region));

    public ApiClient Admin => admin ??= new ApiClient(api, AdminToken);

    private ApiClient? admin;

    public static readonly (string Id, string Region)[] Dealers =
        [("E1", "CN/East/Shanghai"), ("E2", "CN/East/Hangzhou"), ("N1", "CN/North/Beijing")];

    public async Task SeedAsync()
    {
        foreach (var sku in new[] { "TEA", "RICE" })
        {
            await OkAsync("mutation($input: ProductInput!) { upsertProduct(input: $input) { sku } }", new { input = new { sku, name = sku, listPrice = 10m, floorPrice = 8m } });
            await OkAsync("mutation($sku: ID!) { adjustStock(sku: $sku, delta: 100000, reason: \"received\") { sku } }", new { sku });
        }
        await OkAsync("mutation($inputs: [DealerInput!]!) { upsertDealers(inputs: $inputs) { id } }", new
        {
            inputs = Dealers.Select(d => new { id = d.Id, name = d.Id, region = d.Region, tier = "VALUE", status = "ADMITTED", creditLimit = 1_000_000m, authorizedSkus = new[] { "TEA", "RICE" } }).ToArray(),
        });
        foreach (var (id, i) in Dealers.Select((d, i) => (d.Id, i)))
            await OkAsync("mutation($input: QuotaInput!) { setQuota(input: $input) { target } }", new { input = new { ownerId = id, period = Month, target = 2000m * (i + 1) } });

        await PlaceAsync("O-E1-1", "E1", 30);
        await PlaceAsync("O-E1-2", "E1", 12);
        await PlaceAsync("O-E2-1", "E2", 50);
        await PlaceAsync("O-N1-1", "N1", 70);
        await OkAsync("mutation { shipOrder(id: \"O-E1-1\") { id } }");
        await OkAsync("mutation { receiveOrder(id: \"O-E1-1\") { id } }");
        await OkAsync("mutation($input: SellOutInput!) { reportSellOut(input: $input) { id } }", new
        {
            input = new { requestId = "S-E1-1", dealerId = "E1", date = DateTime.UtcNow, lines = new[] { new { sku = "TEA", quantity = 10, amount = 150m } } },
        });
    }

    public Task ShipAsync(string orderId) => OkAsync("mutation($id: ID!) { shipOrder(id: $id) { id } }", new { id = orderId });

    public Task PlaceAsync(string orderId, string dealerId, int quantity) =>
        OkAsync("mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }",
            new { input = new { requestId = orderId, dealerId, lines = new[] { new { sku = "TEA", quantity } } } });

    public async Task<int> OrderCountAsync(string region) =>
        (await Admin.PostAsync("query($region: String!, $period: String!) { channelSummary(region: $region, period: $period) { orderCount } }", new { region, period = Month }))
        .Data("channelSummary").GetProperty("orderCount").GetInt32();

    /// <summary>Waits until the live aggregates have caught up with the seeded orders.</summary>
    public Task SettledAsync(string region, int orders) =>
        Eventually.TrueAsync(async () => await OrderCountAsync(region) == orders, TimeSpan.FromSeconds(15), async () => $"{region} shows {await OrderCountAsync(region)} orders, not {orders}");

    private async Task OkAsync(string query, object? variables = null)
    {
        var result = await Admin.PostAsync(query, variables);
        Assert.True(result.ErrorCode() is null, result.ToString());
    }

    public void Dispose() => admin?.Dispose();
}
