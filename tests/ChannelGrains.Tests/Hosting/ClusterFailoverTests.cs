using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using ChannelGrains.Analytics;
using ChannelGrains.Partners;
using ChannelGrains.Silo.Hosting;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace ChannelGrains.Tests.Hosting;

/// <summary>
/// A silo process of a two-silo cluster killed (SIGKILL) in the middle of a burst of real mutations sent to a client-mode
/// Api, the way an integrator sends them: every request that failed is sent again with the same requestId until it is
/// answered. Afterwards nothing acknowledged is lost, stock adds up (rules 1, 2, 5) and every channelSummary is the
/// exact sum of its dealers and of its child regions (rules 17, 18).
/// </summary>
/// <remarks>
/// Shards store their state at most once per <c>Analytics:PersistInterval</c>; here it is longer than the test, so
/// each shard on the killed silo loses every contribution after its first, deterministically. The dealers that
/// finished before the kill and live on the surviving silo are not touched again: only their silo's heal
/// (<c>DealerHeal</c>, every <c>Analytics:DealerHealPeriod</c>) brings their figures back; with it
/// switched off (a period of a day) this test fails. The dealers of the killed silo come back by being read. Which
/// silo dies is chosen after the first burst, from where the grains were placed: the one holding the shards of the most
/// dealers that the other silo holds, so that there is something only the heal restores. Orleans places activations by
/// the silos' load, and often puts every grain of the first burst on one silo (7 of 8 runs spread them in one series,
/// 1 of 3 in another): the test then checks the recovery by reactivation alone, and prints which case it ran.
/// </remarks>
[Collection(PostgresCollection.Name)]
public sealed class ClusterFailoverTests(PostgresServer postgres, ITestOutputHelper output)
{
    private static readonly string[] Leaves = ["CN/East/Shanghai", "CN/East/Jiangsu", "CN/North/Beijing"];
    private static readonly string[] Regions = [.. Leaves, "CN/East", "CN/North", "CN"];
    private static readonly (string Sku, decimal Price)[] Products = [("P1", 10m), ("P2", 11m), ("P3", 12m), ("P4", 13m)];
    private const int OnHandAtStart = 100_000;
    private const int DealersBefore = 40;
    private const int DealersDuring = 20;
    private const decimal SellOutPrice = 15.5m;

    [Fact]
    public async Task A_silo_killed_mid_burst_loses_nothing_acknowledged_and_summaries_add_up_again()
    {
        var database = await postgres.CreateDatabaseAsync();
        var shared = new Dictionary<string, string>
        {
            ["ConnectionStrings__Channel"] = database,
            ["Auth__SigningKey"] = ApiClient.TestSigningKey,
            ["Orleans__ClusterId"] = "failover-" + Guid.NewGuid().ToString("N")[..8],
            ["Analytics__PersistInterval"] = "00:10:00",
            ["Analytics__DealerHealPeriod"] = "00:00:20",
            ["Analytics__ReconcileInterval"] = "00:00:05",
        };
        var ports = new[] { FreeTcpPort.Next(), FreeTcpPort.Next() };
        await using var silo0 = await AppProcess.StartSiloAsync(new Dictionary<string, string>(shared) { ["Orleans__SiloPort"] = ports[0].ToString() });
        await using var silo1 = await AppProcess.StartSiloAsync(new Dictionary<string, string>(shared) { ["Orleans__SiloPort"] = ports[1].ToString() });
        await using var api = await AppProcess.StartApiAsync(new Dictionary<string, string>(shared) { ["Orleans__Mode"] = "Client" });
        output.WriteLine($"start-up: silos {silo0.StartupTime.TotalSeconds:F1} s and {silo1.StartupTime.TotalSeconds:F1} s, Api {api.StartupTime.TotalSeconds:F1} s");
        var tenant = TestTenant.New();
        var token = ApiClient.Token(Callers.Admin(tenant));
        using var first = new ApiClient(api.BaseAddress, token);
        using var second = new ApiClient(api.BaseAddress, token); // an integrator's second instance, retrying the same requests
        var month = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);

        foreach (var (sku, price) in Products)
        {
            await MustAsync(first, "mutation($i: ProductInput!) { upsertProduct(input: $i) { sku } }", new { i = new { sku, name = "Item " + sku, listPrice = price, floorPrice = price - 2 } });
            await MustAsync(first, "mutation($s: ID!, $d: Int!) { adjustStock(sku: $s, delta: $d, reason: \"received\", requestId: \"grn\") { sku } }", new { s = sku, d = OnHandAtStart });
        }
        var dealers = Enumerable.Range(0, DealersBefore + DealersDuring).Select(i => new Script(i)).ToArray();
        await MustAsync(first, "mutation($inputs: [DealerInput!]!) { upsertDealers(inputs: $inputs) { id } }", new
        {
            inputs = dealers.Select(d => new { id = d.Id, name = "Dealer " + d.Id, region = d.Region, tier = "VALUE", status = "ADMITTED", creditLimit = 1_000_000m, authorizedSkus = Products.Select(p => p.Sku) }),
        });

        var acknowledged = new ConcurrentDictionary<string, string>(); // order id -> the status its last answer acknowledged
        var answered = 0;
        var started = DateTime.UtcNow;
        await RunAsync(dealers[..DealersBefore], first, second, acknowledged, () => Interlocked.Increment(ref answered));
        // A round of the heal publishes again what changed in the two periods before it: the first burst fits well within one.
        output.WriteLine($"first burst: {DateTime.UtcNow - started:g}");
        var (victimPort, healed) = await VictimAsync(shared, ports, tenant, month, dealers[..DealersBefore]);
        // Orleans places activations by the silos' load: now and then it puts every grain on one silo, and then the dealers
        // come back by being read alone. The rest of the test holds either way; only the heal's part is then not exercised.
        output.WriteLine($"the silo to kill holds the shards of {healed} dealers that the other silo holds");
        var victim = victimPort == ports[0] ? silo0 : silo1;
        var during = RunAsync(dealers[DealersBefore..], first, second, acknowledged, () => Interlocked.Increment(ref answered));
        var before = Volatile.Read(ref answered);
        while (Volatile.Read(ref answered) < before + 40 && !during.IsCompleted) await Task.Delay(10);
        await victim.KillAsync();
        output.WriteLine($"killed a silo after {Volatile.Read(ref answered) - before} answers of the second burst");
        var killedAt = DateTime.UtcNow;
        await during;
        output.WriteLine($"burst answered {DateTime.UtcNow - killedAt:g} after the kill ({Volatile.Read(ref answered)} answers)");

        // Every acknowledged order is there with the status acknowledged (nothing moves them after their last step).
        foreach (var (id, status) in acknowledged)
            Assert.Equal(status, (await AnsweredAsync(first, "query($id: ID!) { order(id: $id) { status } }", new { id })).Data("order", "status").GetString());

        var expected = Expected(dealers);
        string last = "";
        await Eventually.TrueAsync(async () =>
        {
            last = await DifferencesAsync(first, dealers, expected, month);
            return last.Length == 0;
        }, TimeSpan.FromSeconds(45), () => Task.FromResult(last));
        output.WriteLine($"everything adds up {DateTime.UtcNow - killedAt:g} after the kill");
    }

    /// <summary>
    /// The silo port to kill: the silo whose shards hold the contributions of the most first-burst dealers active on the
    /// other one (those only the heal restores), and how many such dealers there are.
    /// </summary>
    private static async Task<(int Port, int Healed)> VictimAsync(Dictionary<string, string> shared, int[] ports, string tenant, string month, IEnumerable<Script> dealers)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client.UseChannelClient(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Channel"] = shared["ConnectionStrings__Channel"],
            ["Orleans:ClusterId"] = shared["Orleans__ClusterId"],
        }).Build()));
        using var host = builder.Build();
        await host.StartAsync();
        var statistics = await host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        await host.StopAsync();
        Dictionary<string, int> Where(string type) => statistics.Where(s => s.GrainType.Contains(type, StringComparison.Ordinal))
            .ToDictionary(s => s.GrainId.Key.ToString()!, s => s.SiloAddress.Endpoint.Port);
        var dealerSilo = Where(nameof(DealerGrain));
        var shardSilo = Where(nameof(SourceShardGrain));
        int HealedIfKilled(int port) => dealers.Count(d =>
            dealerSilo.TryGetValue($"{tenant}/{d.Id}", out var at) && at != port
            && shardSilo.GetValueOrDefault(AnalyticsKeys.Shard(tenant, month, AnalyticsKeys.ShardIndex(Contribution.DealerSource(d.Id)))) == port);
        return ports.Select(p => (p, HealedIfKilled(p))).MaxBy(v => v.Item2);
    }

    /// <summary>What one dealer does, the same in every run: four orders (received and partly sold, confirmed, cancelled, shipped).</summary>
    private sealed class Script
    {
        public Script(int index)
        {
            Id = $"D{index:00}";
            Region = Leaves[index % Leaves.Length];
            var random = new Random(index);
            Received = [Line(random, "P1"), Line(random, "P2")];
            Open = [Line(random, "P3")];
            Cancelled = [Line(random, "P1"), Line(random, "P4")];
            InTransit = [Line(random, "P2"), Line(random, "P4")];
            Sold = [(Received[0].Sku, 1 + random.Next(Received[0].Quantity)), (Received[1].Sku, random.Next(Received[1].Quantity))];
            DuplicatedBySecondClient = index % 2 == 0;
        }

        public string Id { get; }
        public string Region { get; }
        public (string Sku, int Quantity)[] Received { get; }
        public (string Sku, int Quantity)[] Open { get; }
        public (string Sku, int Quantity)[] Cancelled { get; }
        public (string Sku, int Quantity)[] InTransit { get; }
        public (string Sku, int Quantity)[] Sold { get; }
        public bool DuplicatedBySecondClient { get; }

        public string OrderId(string step) => $"{Id}-{step}";

        private static (string, int) Line(Random random, string sku) => (sku, 1 + random.Next(20));
    }

    private static async Task RunAsync(IEnumerable<Script> dealers, ApiClient first, ApiClient second, ConcurrentDictionary<string, string> acknowledged, Action answer)
    {
        await Parallel.ForEachAsync(dealers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (dealer, _) =>
        {
            async Task PlaceAsync(string step, (string Sku, int Quantity)[] lines)
            {
                var id = dealer.OrderId(step);
                object input = new { i = new { requestId = id, dealerId = dealer.Id, lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }) } };
                const string place = "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id status total lines { sku quantity } } }";
                var retried = dealer.DuplicatedBySecondClient ? AnsweredAsync(second, place, input) : null;
                var placed = await AnsweredAsync(first, place, input);
                answer();
                Assert.Equal("CONFIRMED", placed.Data("placeOrder", "status").GetString());
                if (retried is not null) Assert.Equal(placed.Data("placeOrder").ToString(), (await retried).Data("placeOrder").ToString()); // rule 7
                acknowledged[id] = "CONFIRMED";
            }
            async Task MoveAsync(string step, string mutation, string status)
            {
                var id = dealer.OrderId(step);
                var moved = await AnsweredAsync(first, $"mutation($id: ID!) {{ {mutation}(id: $id) {{ status }} }}", new { id });
                answer();
                Assert.Equal(status, moved.Data(mutation, "status").GetString());
                acknowledged[id] = status;
            }

            await PlaceAsync("received", dealer.Received);
            await MoveAsync("received", "shipOrder", "SHIPPED");
            await MoveAsync("received", "receiveOrder", "RECEIVED");
            var report = new
            {
                i = new
                {
                    requestId = dealer.Id + "-sold",
                    dealerId = dealer.Id,
                    date = DateTime.UtcNow,
                    lines = dealer.Sold.Where(s => s.Quantity > 0).Select(s => new { sku = s.Sku, quantity = s.Quantity, amount = s.Quantity * SellOutPrice }),
                },
            };
            const string sell = "mutation($i: SellOutInput!) { reportSellOut(input: $i) { id } }";
            var resent = dealer.DuplicatedBySecondClient ? AnsweredAsync(second, sell, report) : null;
            (await AnsweredAsync(first, sell, report)).Data("reportSellOut");
            if (resent is not null) (await resent).Data("reportSellOut");
            answer();
            await PlaceAsync("open", dealer.Open);
            await PlaceAsync("cancelled", dealer.Cancelled);
            await MoveAsync("cancelled", "cancelOrder", "CANCELLED");
            await PlaceAsync("in-transit", dealer.InTransit);
            await MoveAsync("in-transit", "shipOrder", "SHIPPED");
        });
    }

    /// <summary>
    /// Sends the request until it is answered: the answer, or a refusal with a domain code. A silo dying makes requests
    /// time out or fail with another code (an internal error): those are sent again, as the same request.
    /// </summary>
    private static async Task<JsonElement> AnsweredAsync(ApiClient api, string query, object variables)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(75);
        while (true)
        {
            try
            {
                var result = await api.PostAsync(query, variables);
                if (result.ErrorCode() is not { } code || DomainCodes.Contains(code)) return result;
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException or JsonException)
            {
            }
            if (DateTime.UtcNow > deadline) Assert.Fail($"No answer within 75 s to {query}");
            await Task.Delay(200);
        }
    }

    private static readonly HashSet<string> DomainCodes =
        ["FORBIDDEN", "NOT_FOUND", "VALIDATION", "INVALID_TRANSITION", "INSUFFICIENT_STOCK", "CREDIT_LIMIT_EXCEEDED", "PRICE_BELOW_FLOOR", "NOT_AUTHORIZED"];

    private static async Task MustAsync(ApiClient api, string query, object variables) => Assert.Null((await api.PostAsync(query, variables)).ErrorCode());

    private sealed record Figures(int OrderCount, decimal OrderValue, decimal SellOutValue, int StockUnits);

    private sealed record Expectation(
        Dictionary<string, Figures> Regions,
        Dictionary<string, Dictionary<string, (int OnHand, int InTransit)>> Inventories,
        Dictionary<string, (int OnHand, int Reserved)> Products);

    /// <summary>What the scripts add up to: orders confirmed and not cancelled count as sell-in; stock is on hand and in transit.</summary>
    private static Expectation Expected(IEnumerable<Script> dealers)
    {
        var price = Products.ToDictionary(p => p.Sku, p => p.Price);
        decimal Value((string Sku, int Quantity)[] lines) => lines.Sum(l => l.Quantity * price[l.Sku]);
        var regions = Regions.ToDictionary(r => r, _ => new Figures(0, 0m, 0m, 0));
        var inventories = new Dictionary<string, Dictionary<string, (int, int)>>();
        var shipped = Products.ToDictionary(p => p.Sku, _ => 0);
        var reserved = Products.ToDictionary(p => p.Sku, _ => 0);
        foreach (var dealer in dealers)
        {
            var inventory = Products.ToDictionary(p => p.Sku, _ => (OnHand: 0, InTransit: 0));
            foreach (var (sku, quantity) in dealer.Received) inventory[sku] = inventory[sku] with { OnHand = inventory[sku].OnHand + quantity };
            foreach (var (sku, quantity) in dealer.Sold) inventory[sku] = inventory[sku] with { OnHand = inventory[sku].OnHand - quantity };
            foreach (var (sku, quantity) in dealer.InTransit) inventory[sku] = inventory[sku] with { InTransit = inventory[sku].InTransit + quantity };
            foreach (var (sku, quantity) in dealer.Received.Concat(dealer.InTransit)) shipped[sku] += quantity;
            foreach (var (sku, quantity) in dealer.Open) reserved[sku] += quantity;
            inventories[dealer.Id] = inventory.ToDictionary(i => i.Key, i => (i.Value.OnHand, i.Value.InTransit));
            var own = new Figures(3, Value(dealer.Received) + Value(dealer.Open) + Value(dealer.InTransit), dealer.Sold.Sum(s => s.Quantity * SellOutPrice),
                inventory.Values.Sum(i => i.OnHand + i.InTransit));
            foreach (var region in Regions.Where(r => dealer.Region == r || dealer.Region.StartsWith(r + "/", StringComparison.Ordinal)))
            {
                var held = regions[region];
                regions[region] = new Figures(held.OrderCount + own.OrderCount, held.OrderValue + own.OrderValue, held.SellOutValue + own.SellOutValue, held.StockUnits + own.StockUnits);
            }
        }
        return new Expectation(regions, inventories, Products.ToDictionary(p => p.Sku, p => (OnHandAtStart - shipped[p.Sku], reserved[p.Sku])));
    }

    /// <summary>Every way the channel as served differs from the expectation; empty when it adds up.</summary>
    private static async Task<string> DifferencesAsync(ApiClient api, IReadOnlyList<Script> dealers, Expectation expected, string month)
    {
        var differences = new List<string>();
        var products = await AnsweredAsync(api, "{ " + string.Join(" ", Products.Select(p => $"{p.Sku}: product(sku: \"{p.Sku}\") {{ onHand reserved }}")) + " }", new { });
        foreach (var (sku, _) in Products)
        {
            var product = products.Data(sku);
            var (onHand, reserved) = (product.GetProperty("onHand").GetInt32(), product.GetProperty("reserved").GetInt32());
            if (reserved > onHand || (onHand, reserved) != expected.Products[sku])
                differences.Add($"{sku}: on hand {onHand}, reserved {reserved}; expected {expected.Products[sku]}");
        }
        // Reading every dealer also activates those the killed silo held: an activation publishes the dealer's months.
        var read = await AnsweredAsync(api, "{ " + string.Join(" ", dealers.Select(d => $"{d.Id}: dealer(id: \"{d.Id}\") {{ inventory {{ sku onHand inTransit }} }}")) + " }", new { });
        foreach (var dealer in dealers)
        {
            var inventory = read.Data(dealer.Id, "inventory").EnumerateArray().ToDictionary(
                l => l.GetProperty("sku").GetString()!, l => (l.GetProperty("onHand").GetInt32(), l.GetProperty("inTransit").GetInt32()));
            foreach (var (sku, levels) in expected.Inventories[dealer.Id])
                if (inventory.GetValueOrDefault(sku) != levels) differences.Add($"{dealer.Id} {sku}: {inventory.GetValueOrDefault(sku)}, expected {levels}");
        }
        var summaries = await AnsweredAsync(api, "{ " + string.Join(" ", Regions.Select((r, i) =>
            $"r{i}: channelSummary(region: \"{r}\", period: \"{month}\") {{ orderCount orderValue sellOutValue channelStockUnits }}")) + " }", new { });
        var served = new Dictionary<string, Figures>();
        for (var i = 0; i < Regions.Length; i++)
        {
            var summary = summaries.Data($"r{i}");
            served[Regions[i]] = new Figures(summary.GetProperty("orderCount").GetInt32(), summary.GetProperty("orderValue").GetDecimal(),
                summary.GetProperty("sellOutValue").GetDecimal(), summary.GetProperty("channelStockUnits").GetInt32());
            if (served[Regions[i]] != expected.Regions[Regions[i]]) differences.Add($"{Regions[i]}: {served[Regions[i]]}, expected {expected.Regions[Regions[i]]}");
        }
        foreach (var parent in new[] { "CN/East", "CN/North", "CN" })
        {
            var children = served.Where(s => s.Key.StartsWith(parent + "/", StringComparison.Ordinal) && !s.Key[(parent.Length + 1)..].Contains('/')).Select(s => s.Value).ToArray();
            var sum = new Figures(children.Sum(c => c.OrderCount), children.Sum(c => c.OrderValue), children.Sum(c => c.SellOutValue), children.Sum(c => c.StockUnits));
            if (served[parent] != sum) differences.Add($"{parent}: {served[parent]}, its children add up to {sum}"); // rule 18
        }
        return string.Join("; ", differences);
    }
}
