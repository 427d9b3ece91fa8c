using System.Text.Json;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Catalog;

[Collection(ClusterCollection.Name)]
public sealed class ProductApiTests(ClusterFixture fixture) : IDisposable
{
    private readonly InProcessGraphQL api = new(fixture.Grains, fixture.Cluster.Client);
    private readonly string tenant = TestTenant.New();

    private const string Upsert = "mutation($input: ProductInput!) { upsertProduct(input: $input) { sku name listPrice floorPrice onHand reserved available } }";
    private const string Read = "query($sku: ID!) { product(sku: $sku) { sku name listPrice floorPrice onHand reserved available } }";

    [Fact]
    public async Task Upserted_product_reads_back_with_its_prices()
    {
        await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = new { sku = "P1", name = "Tea 500g", listPrice = 12.5m, floorPrice = 10m } });

        var product = (await api.ExecuteAsync(Callers.Admin(tenant), Read, new { sku = "P1" })).Data("product");

        Assert.Equal("Tea 500g", product.GetProperty("name").GetString());
        Assert.Equal(12.5m, product.GetProperty("listPrice").GetDecimal());
        Assert.Equal(10m, product.GetProperty("floorPrice").GetDecimal());
        Assert.Equal(0, product.GetProperty("onHand").GetInt32());
    }

    [Theory]
    [InlineData("1e-30")]
    [InlineData("10.00000000000000000000000000001")]
    [InlineData("79228162514264337593543950336")]
    [InlineData("1e400")]
    public async Task A_price_a_decimal_would_round_is_refused_as_a_variable_and_as_a_literal_and_nothing_is_created(string price)
    {
        var variables = JsonDocument.Parse($$$"""{"input": {"sku": "P9", "name": "Tea", "listPrice": {{{price}}}, "floorPrice": 0} }""").RootElement;
        var asVariable = await api.ExecuteAsync(Callers.Admin(tenant), Upsert, variables);
        var asLiteral = await api.ExecuteAsync(Callers.Admin(tenant), $$"""mutation { upsertProduct(input: {sku: "P9", name: "Tea", listPrice: {{price}}, floorPrice: 0}) { sku } }""");

        Assert.Equal("VALIDATION", asVariable.ErrorCode());
        Assert.Equal("VALIDATION", asLiteral.ErrorCode());
        Assert.Equal(JsonValueKind.Null, (await api.ExecuteAsync(Callers.Admin(tenant), Read, new { sku = "P9" })).Data("product").ValueKind);
    }

    [Theory]
    [InlineData("P2", "Tea", -1, 0)]
    [InlineData("P2", "Tea", 10, -1)]
    [InlineData("P2", "Tea", 10, 11)]
    [InlineData("", "Tea", 10, 5)]
    [InlineData("P2", " ", 10, 5)]
    [InlineData("P/2", "Tea", 10, 5)]
    public async Task Invalid_product_is_refused_with_validation_and_nothing_is_created(string sku, string name, decimal list, decimal floor)
    {
        var result = await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = new { sku, name, listPrice = list, floorPrice = floor } });

        Assert.Equal("VALIDATION", result.ErrorCode());
        if (sku.Length > 0 && !sku.Contains('/'))
            Assert.Equal(System.Text.Json.JsonValueKind.Null, (await api.ExecuteAsync(Callers.Admin(tenant), Read, new { sku })).Data("product").ValueKind);
    }

    [Fact]
    public async Task Stock_adjustments_add_up_and_a_write_off_below_zero_is_refused()
    {
        await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = new { sku = "P3", name = "Oil", listPrice = 30m, floorPrice = 25m } });
        const string adjust = "mutation($sku: ID!, $delta: Int!) { adjustStock(sku: $sku, delta: $delta, reason: \"count\") { onHand available } }";

        await api.ExecuteAsync(Callers.Admin(tenant), adjust, new { sku = "P3", delta = 10 });
        var afterWriteOff = (await api.ExecuteAsync(Callers.Admin(tenant), adjust, new { sku = "P3", delta = -4 })).Data("adjustStock");
        var refused = await api.ExecuteAsync(Callers.Admin(tenant), adjust, new { sku = "P3", delta = -7 });

        Assert.Equal(6, afterWriteOff.GetProperty("onHand").GetInt32());
        Assert.Equal("INSUFFICIENT_STOCK", refused.ErrorCode());
        Assert.Equal(6, (await api.ExecuteAsync(Callers.Admin(tenant), Read, new { sku = "P3" })).Data("product", "onHand").GetInt32());
    }

    private const string AdjustOnce =
        "mutation($sku: ID!, $delta: Int!, $reason: String!, $requestId: ID) { adjustStock(sku: $sku, delta: $delta, reason: $reason, requestId: $requestId) { onHand } }";

    [Fact]
    public async Task A_stock_adjustment_asked_again_with_its_requestId_is_applied_once()
    {
        await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = new { sku = "P5", name = "Salt", listPrice = 3m, floorPrice = 2m } });
        var admin = Callers.Admin(tenant);

        var first = (await api.ExecuteAsync(admin, AdjustOnce, new { sku = "P5", delta = 10, reason = "received", requestId = "grn-1" })).Data("adjustStock");
        var retried = (await api.ExecuteAsync(admin, AdjustOnce, new { sku = "P5", delta = 10, reason = "received", requestId = "grn-1" })).Data("adjustStock");
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            api.ExecuteAsync(admin, AdjustOnce, new { sku = "P5", delta = 5, reason = "count", requestId = "count-1" })));
        var otherDelta = await api.ExecuteAsync(admin, AdjustOnce, new { sku = "P5", delta = 11, reason = "received", requestId = "grn-1" });
        var otherReason = await api.ExecuteAsync(admin, AdjustOnce, new { sku = "P5", delta = 10, reason = "recount", requestId = "grn-1" });
        var malformed = await api.ExecuteAsync(admin, AdjustOnce, new { sku = "P5", delta = 10, reason = "received", requestId = "a/b" });
        var withoutId = (await api.ExecuteAsync(admin, AdjustOnce, new { sku = "P5", delta = 1, reason = "count", requestId = (string?)null })).Data("adjustStock");

        Assert.Equal(10, first.GetProperty("onHand").GetInt32());
        Assert.Equal(10, retried.GetProperty("onHand").GetInt32());
        Assert.All(concurrent, r => Assert.Null(r.ErrorCode()));
        Assert.Equal("VALIDATION", otherDelta.ErrorCode());
        Assert.Equal("VALIDATION", otherReason.ErrorCode());
        Assert.Equal("VALIDATION", malformed.ErrorCode());
        Assert.Equal(16, withoutId.GetProperty("onHand").GetInt32());
        Assert.Equal(16, (await api.ExecuteAsync(admin, Read, new { sku = "P5" })).Data("product", "onHand").GetInt32());
    }

    [Fact]
    public async Task A_product_remembers_its_latest_256_adjustments_by_requestId()
    {
        await api.ExecuteAsync(Callers.Admin(tenant), Upsert, new { input = new { sku = "P6", name = "Sugar", listPrice = 3m, floorPrice = 2m } });
        var product = fixture.Grains.GetGrain<IProductGrain>(Keys.Of(tenant, "P6"));
        for (var i = 1; i <= 300; i++) await product.AdjustStockAsync(1, "count", $"c{i}");

        var remembered = await product.AdjustStockAsync(1, "count", "c45");
        var forgotten = await product.AdjustStockAsync(1, "count", "c44");

        Assert.Equal(300, remembered.OnHand);
        Assert.Equal(301, forgotten.OnHand);
    }

    [Fact]
    public async Task Adjusting_an_unknown_product_is_not_found()
    {
        var result = await api.ExecuteAsync(Callers.Admin(tenant), "mutation { adjustStock(sku: \"nope\", delta: 1, reason: \"x\") { onHand } }");

        Assert.Equal("NOT_FOUND", result.ErrorCode());
    }

    [Fact]
    public async Task Only_an_admin_changes_the_catalogue()
    {
        var result = await api.ExecuteAsync(Callers.Manager(tenant, "CN"), Upsert, new { input = new { sku = "P4", name = "Rice", listPrice = 5m, floorPrice = 4m } });

        Assert.Equal("FORBIDDEN", result.ErrorCode());
    }

    [Fact]
    public async Task Bulk_upsert_writes_every_product_and_one_bad_record_refuses_the_batch()
    {
        const string bulk = "mutation($inputs: [ProductInput!]!) { upsertProducts(inputs: $inputs) { sku } }";
        var good = Enumerable.Range(0, 200).Select(i => new { sku = $"B{i}", name = $"Item {i}", listPrice = 10m, floorPrice = 8m }).ToArray();
        var bad = good.Select(p => p.sku == "B150" ? p with { floorPrice = 11m } : p).Select(p => p with { sku = "X" + p.sku }).ToArray();

        var written = (await api.ExecuteAsync(Callers.Admin(tenant), bulk, new { inputs = good })).Data("upsertProducts");
        var refused = await api.ExecuteAsync(Callers.Admin(tenant), bulk, new { inputs = bad });

        Assert.Equal(200, written.GetArrayLength());
        Assert.Equal("VALIDATION", refused.ErrorCode());
        Assert.Contains("Record 150", refused.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await api.ExecuteAsync(Callers.Admin(tenant), Read, new { sku = "XB0" })).Data("product").ValueKind);
    }

    public void Dispose() => api.Dispose();
}
