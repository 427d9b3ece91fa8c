using System.Text.Json;
using ChannelGrains.Tests.Infrastructure;
using ChannelGrains.Tests.Ordering;
using static ChannelGrains.Tests.Ordering.OrderingScenario;

namespace ChannelGrains.Tests.Analytics;

/// <summary>Rules 17 and 18 end to end: orders, cancellations, shipments, sell-out and quotas move the live summaries.</summary>
[Collection(ClusterCollection.Name)]
public sealed class OrderingFeedsAggregatesTests : IDisposable
{
    private static readonly string Month = DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly string[] Regions = ["CN/East/Shanghai", "CN/East/Hangzhou", "CN/North/Beijing"];

    private readonly InProcessGraphQL api;
    private readonly OrderingScenario channel;

    public OrderingFeedsAggregatesTests(ClusterFixture fixture)
    {
        api = new(fixture.Grains, fixture.Cluster.Client);
        channel = new(api, TestTenant.New());
    }

    [Fact]
    public async Task After_a_random_burst_every_region_summary_equals_the_sums_of_its_dealers()
    {
        var random = new Random(17);
        foreach (var sku in new[] { "P1", "P2", "P3" }) await channel.ProductAsync(sku, onHand: 10_000);
        var dealers = Enumerable.Range(0, 12).Select(i => (Id: $"D{i}", Region: Regions[i % Regions.Length])).ToArray();
        foreach (var group in dealers.GroupBy(d => d.Region))
            await channel.DealersAsync(group.Select(d => d.Id), ["P1", "P2", "P3"], region: group.Key);

        var orders = new List<(string Id, string Dealer)>();
        for (var i = 0; i < 60; i++)
        {
            var dealer = dealers[random.Next(dealers.Length)].Id;
            var result = await channel.PlaceAsync($"R{i}", dealer, Line("P1", random.Next(1, 20)), Line("P2", random.Next(1, 20)));
            Ok(result);
            orders.Add(($"R{i}", dealer));
        }
        foreach (var (id, _) in orders.Where((_, i) => i % 5 == 0)) Ok(await channel.MoveAsync("cancelOrder", id));
        foreach (var (id, _) in orders.Where((_, i) => i % 3 == 0 && i % 5 != 0))
        {
            Ok(await channel.MoveAsync("shipOrder", id));
            Ok(await channel.MoveAsync("receiveOrder", id));
        }
        var sold = new Dictionary<string, decimal>();
        foreach (var (id, dealer) in orders.Where((_, i) => i % 3 == 0 && i % 5 != 0))
        {
            var result = await api.ExecuteAsync(channel.Admin, "mutation($input: SellOutInput!) { reportSellOut(input: $input) { id } }",
                new { input = new { requestId = $"S-{id}", dealerId = dealer, date = DateTime.UtcNow, lines = new[] { new { sku = "P1", quantity = 1, amount = 12.5m } } } });
            Ok(result);
            sold[dealer] = sold.GetValueOrDefault(dealer) + 12.5m;
        }
        foreach (var (dealer, i) in dealers.Select((d, i) => (d.Id, i)))
            Ok(await api.ExecuteAsync(channel.Admin, "mutation($input: QuotaInput!) { setQuota(input: $input) { target } }",
                new { input = new { ownerId = dealer, period = Month, target = 1000m * (i + 1) } }));

        var expected = new Dictionary<string, (int Orders, decimal Value, decimal SellOut, int Stock, decimal Target)>();
        foreach (var (id, region) in dealers)
        {
            var dealer = (await api.ExecuteAsync(channel.Admin, "query($id: ID!) { dealer(id: $id) { inventory { onHand inTransit } quota(period: \"" + Month + "\") { target achieved } orders(first: 500) { edges { node { status total } } } } }", new { id }))
                .Data("dealer");
            var standing = dealer.GetProperty("orders").GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node"))
                .Where(o => o.GetProperty("status").GetString() is "CONFIRMED" or "SHIPPED" or "RECEIVED").ToArray();
            Assert.Equal(standing.Sum(o => o.GetProperty("total").GetDecimal()), dealer.GetProperty("quota").GetProperty("achieved").GetDecimal());
            foreach (var path in SelfAndAncestors(region))
            {
                var sum = expected.GetValueOrDefault(path);
                expected[path] = (sum.Orders + standing.Length, sum.Value + standing.Sum(o => o.GetProperty("total").GetDecimal()), sum.SellOut + sold.GetValueOrDefault(id),
                    sum.Stock + dealer.GetProperty("inventory").EnumerateArray().Sum(s => s.GetProperty("onHand").GetInt32() + s.GetProperty("inTransit").GetInt32()),
                    sum.Target + dealer.GetProperty("quota").GetProperty("target").GetDecimal());
            }
        }

        await Eventually.TrueAsync(async () => (await MismatchesAsync(expected)).Count == 0, TimeSpan.FromSeconds(30),
            async () => string.Join("; ", await MismatchesAsync(expected)));
    }

    private async Task<List<string>> MismatchesAsync(Dictionary<string, (int Orders, decimal Value, decimal SellOut, int Stock, decimal Target)> expected)
    {
        var mismatches = new List<string>();
        foreach (var (region, want) in expected)
        {
            var summary = (await api.ExecuteAsync(channel.Admin, "query($r: String!, $p: String!) { channelSummary(region: $r, period: $p) { orderCount orderValue sellOutValue channelStockUnits quotaTarget quotaAchieved } }",
                new { r = region, p = Month })).Data("channelSummary");
            var got = (summary.GetProperty("orderCount").GetInt32(), summary.GetProperty("orderValue").GetDecimal(), summary.GetProperty("sellOutValue").GetDecimal(),
                summary.GetProperty("channelStockUnits").GetInt32(), summary.GetProperty("quotaTarget").GetDecimal());
            if (got != want) mismatches.Add($"{region}: got {got}, want {want}");
            if (summary.GetProperty("quotaAchieved").GetDecimal() != want.Value) mismatches.Add($"{region}: quota achieved {summary.GetProperty("quotaAchieved")} != order value {want.Value}");
        }
        return mismatches;
    }

    private static IEnumerable<string> SelfAndAncestors(string region) => ChannelGrains.Common.RegionPath.SelfAndAncestors(region);

    public void Dispose() => api.Dispose();
}
