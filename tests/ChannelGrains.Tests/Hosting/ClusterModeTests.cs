using ChannelGrains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ChannelGrains.Tests.Hosting;

/// <summary>The cluster mode for real: two silo processes joined through PostgreSQL and an Api process as their client.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterModeTests(PostgresServer postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task Two_silos_and_a_client_api_serve_writes_that_outlive_the_api()
    {
        var database = await postgres.CreateDatabaseAsync();
        var shared = new Dictionary<string, string>
        {
            ["ConnectionStrings__Channel"] = database,
            ["Auth__SigningKey"] = ApiClient.TestSigningKey,
            ["Orleans__ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..8],
        };
        await using var silo1 = await AppProcess.StartSiloAsync(shared);
        await using var silo2 = await AppProcess.StartSiloAsync(shared);
        output.WriteLine($"silo start-up: {silo1.StartupTime.TotalSeconds:F1} s and {silo2.StartupTime.TotalSeconds:F1} s");
        var client = new Dictionary<string, string>(shared) { ["Orleans__Mode"] = "Client" };
        var tenant = TestTenant.New();
        var token = ApiClient.Token(Callers.Admin(tenant));
        var dealers = Enumerable.Range(0, 40).Select(i => new { id = $"D{i:00}", name = $"Dealer {i}", region = "CN/East", tier = "VALUE", status = "ADMITTED", creditLimit = 100m }).ToArray();

        await using (var api = await AppProcess.StartApiAsync(client))
        {
            output.WriteLine($"client Api start-up: {api.StartupTime.TotalSeconds:F1} s");
            using var http = new ApiClient(api.BaseAddress, token);
            var written = await http.PostAsync("mutation($inputs: [DealerInput!]!) { upsertDealers(inputs: $inputs) { id } }", new { inputs = dealers });
            Assert.Null(written.ErrorCode());
        }

        Assert.Equal(2L, await Sql.ScalarAsync<long>(database, "select count(*) from orleans_membership where status = 3"));
        await using var secondApi = await AppProcess.StartApiAsync(client);
        using var again = new ApiClient(secondApi.BaseAddress, token);
        Assert.Equal(40, (await again.PostAsync("{ dealers(first: 100) { totalCount } }")).Data("dealers", "totalCount").GetInt32());
    }
}
