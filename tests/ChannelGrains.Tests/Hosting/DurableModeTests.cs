using ChannelGrains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ChannelGrains.Tests.Hosting;

/// <summary>The durable mode for real: one Api process on PostgreSQL, killed and started again.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DurableModeTests(PostgresServer postgres, ITestOutputHelper output)
{
    private const string AdjustOnce = "mutation { adjustStock(sku: \"P1\", delta: 40, reason: \"received\", requestId: \"grn-1\") { onHand } }";

    [Fact]
    public async Task Acknowledged_writes_survive_killing_the_process()
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Channel"] = await postgres.CreateDatabaseAsync(),
            ["Auth__SigningKey"] = ApiClient.TestSigningKey,
        };
        var tenant = TestTenant.New();
        var token = ApiClient.Token(Callers.Admin(tenant));

        await using (var first = await AppProcess.StartApiAsync(environment))
        {
            output.WriteLine($"durable Api start-up on an empty database (migrations included): {first.StartupTime.TotalSeconds:F1} s");
            using var api = new ApiClient(first.BaseAddress, token);
            Assert.Null((await api.PostAsync("mutation { upsertProduct(input: {sku: \"P1\", name: \"Tea\", listPrice: 12, floorPrice: 10}) { sku } }")).ErrorCode());
            Assert.Null((await api.PostAsync(AdjustOnce)).ErrorCode());
            Assert.Null((await api.PostAsync("mutation { upsertDealer(input: {id: \"D1\", name: \"East One\", region: \"CN/East\", tier: STRATEGIC, status: ADMITTED, creditLimit: 5000, authorizedSkus: [\"P1\"]}) { id } }")).ErrorCode());
            await first.KillAsync();
        }

        await using var second = await AppProcess.StartApiAsync(environment);
        output.WriteLine($"durable Api restart: {second.StartupTime.TotalSeconds:F1} s");
        using var again = new ApiClient(second.BaseAddress, token);
        var retried = (await again.PostAsync(AdjustOnce)).Data("adjustStock"); // rule 7: its requestId outlived the process
        var product = (await again.PostAsync("{ product(sku: \"P1\") { name onHand } }")).Data("product");
        var dealers = (await again.PostAsync("{ dealers(region: \"CN/East\") { totalCount edges { node { id tier creditLimit authorizedSkus } } } }")).Data("dealers");

        Assert.Equal("Tea", product.GetProperty("name").GetString());
        Assert.Equal(40, retried.GetProperty("onHand").GetInt32());
        Assert.Equal(40, product.GetProperty("onHand").GetInt32());
        Assert.Equal(1, dealers.GetProperty("totalCount").GetInt32());
        var dealer = dealers.GetProperty("edges")[0].GetProperty("node");
        Assert.Equal("STRATEGIC", dealer.GetProperty("tier").GetString());
        Assert.Equal(5000m, dealer.GetProperty("creditLimit").GetDecimal());
        Assert.Equal("P1", dealer.GetProperty("authorizedSkus")[0].GetString());
    }
}
