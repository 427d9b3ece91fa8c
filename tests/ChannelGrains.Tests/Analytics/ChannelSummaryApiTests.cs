using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using ChannelGrains.Analytics;
using ChannelGrains.Api.Auth;
using ChannelGrains.Common;
using ChannelGrains.Api.Schema;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChannelGrains.Tests.Analytics;

/// <summary>channelSummary, channelBreakdown and channelSummaryChanged through the served schema, with rule 19's access.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ChannelSummaryApiTests(ClusterFixture fixture) : IDisposable
{
    private readonly InProcessGraphQL api = new(fixture.Grains, fixture.Cluster.Client);
    private readonly Synthetic sources = new(TestTenant.New(), seed: Environment.TickCount);

    private const string Summary = "query($region: String!, $period: String!) { channelSummary(region: $region, period: $period) { region period orderCount orderValue sellOutValue channelStockUnits quotaTarget quotaAchieved visitsPlanned visitsCompleted leadsRegistered leadsConverted promotionCommitted promotionSpent crossRegionAlerts updatedAt } }";
    private const string Breakdown = "query($region: String!, $period: String!, $top: Int) { channelBreakdown(region: $region, period: $period) { summary { sellOutValue } byTier { tier sellOutValue orderCount } bySku(first: 3) { sku sellOutValue sellOutUnits stockUnits } children { region summary { sellOutValue quotaTarget } } topDealers(first: $top) { dealerId region sellOutValue } } }";
    private const string Changed = "subscription($region: String!, $period: String!) { channelSummaryChanged(region: $region, period: $period) { region period sellOutValue orderCount } }";

    private Caller Admin => Callers.Admin(sources.Tenant);

    private async Task SeedAsync()
    {
        await Synthetic.PublishAsync(fixture.Grains, sources.Burst(sources: 40, updates: 300));
        await sources.AssertEventuallyExactAsync(fixture.Grains);
    }

    [Fact]
    public async Task Channel_summary_serves_every_contract_field_with_the_exact_sums()
    {
        await SeedAsync();

        var summary = (await api.ExecuteAsync(Admin, Summary, new { region = "CN", period = "2026-Q4" })).Data("channelSummary");

        var expected = sources.Expected("CN", "2026-Q4");
        Assert.Equal("CN", summary.GetProperty("region").GetString());
        Assert.Equal("2026-Q4", summary.GetProperty("period").GetString());
        Assert.Equal(expected.SellOutValue, summary.GetProperty("sellOutValue").GetDecimal());
        Assert.Equal(expected.OrderValue, summary.GetProperty("orderValue").GetDecimal());
        Assert.Equal(expected.OrderCount, summary.GetProperty("orderCount").GetInt32());
        Assert.Equal(expected.ChannelStockUnits, summary.GetProperty("channelStockUnits").GetInt32());
        Assert.Equal(expected.QuotaTarget, summary.GetProperty("quotaTarget").GetDecimal());
        Assert.Equal(expected.CrossRegionAlerts, summary.GetProperty("crossRegionAlerts").GetInt32());
        Assert.Equal(0, summary.GetProperty("visitsPlanned").GetInt32());
        Assert.Equal(0m, summary.GetProperty("promotionSpent").GetDecimal());
    }

    [Fact]
    public async Task A_region_without_data_reads_as_zeros()
    {
        var summary = (await api.ExecuteAsync(Admin, Summary, new { region = "CN/West", period = "2026-11" })).Data("channelSummary");

        Assert.Equal(0m, summary.GetProperty("sellOutValue").GetDecimal());
        Assert.Equal(0, summary.GetProperty("orderCount").GetInt32());
    }

    [Theory]
    [InlineData("CN", "2026-13")]
    [InlineData("CN", "2026-Q5")]
    [InlineData("CN", "26")]
    [InlineData("CN", "2026-W45")]
    [InlineData("CN//East", "2026-11")]
    [InlineData("/CN", "2026")]
    [InlineData("CN East", "2026")]
    public async Task Malformed_region_or_period_is_refused_with_validation(string region, string period)
    {
        Assert.Equal("VALIDATION", (await api.ExecuteAsync(Admin, Summary, new { region, period })).ErrorCode());
        Assert.Equal("VALIDATION", (await api.ExecuteAsync(Admin, Breakdown, new { region, period })).ErrorCode());
    }

    [Theory]
    [InlineData("CN/East", null)]
    [InlineData("CN/East/Shanghai", null)]
    [InlineData("CN", "FORBIDDEN")]
    [InlineData("CN/North", "FORBIDDEN")]
    [InlineData("CN/Eastern", "FORBIDDEN")]
    public async Task A_manager_reads_only_regions_within_its_own(string region, string? code)
    {
        var manager = Callers.Manager(sources.Tenant, "CN/East");

        Assert.Equal(code, (await api.ExecuteAsync(manager, Summary, new { region, period = "2026-11" })).ErrorCode());
        Assert.Equal(code, (await api.ExecuteAsync(manager, Breakdown, new { region, period = "2026-11" })).ErrorCode());
    }

    [Fact]
    public async Task Dealer_agent_and_rep_tokens_are_forbidden_summaries()
    {
        foreach (var caller in new[] { Callers.Dealer(sources.Tenant, "D001"), new Caller(sources.Tenant, Role.Agent, "A1", "CN"), Callers.Rep(sources.Tenant, "R1", "CN") })
        {
            Assert.Equal("FORBIDDEN", (await api.ExecuteAsync(caller, Summary, new { region = "CN", period = "2026" })).ErrorCode());
            Assert.Equal("FORBIDDEN", (await SubscribeAsync(caller, "CN", "2026")).Error);
        }
    }

    [Fact]
    public async Task Breakdown_by_tier_sku_child_region_and_top_dealers_equals_the_sources()
    {
        await SeedAsync();

        var breakdown = (await api.ExecuteAsync(Admin, Breakdown, new { region = "CN/East", period = "2026-Q4", top = 5 })).Data("channelBreakdown");

        var months = new[] { "2026-10", "2026-11", "2026-12" };
        var inScope = sources.Latest.Values.Where(c => months.Contains(c.Month) && ChannelGrains.Common.RegionPath.IsWithin(c.Region, "CN/East")).ToList();
        Assert.Equal(inScope.Sum(c => c.Figures.SellOutValue), breakdown.GetProperty("summary").GetProperty("sellOutValue").GetDecimal());
        foreach (var tier in breakdown.GetProperty("byTier").EnumerateArray())
        {
            var ofTier = inScope.Where(c => c.Tier.ToString()!.ToUpperInvariant() == tier.GetProperty("tier").GetString()).ToList();
            Assert.Equal(ofTier.Sum(c => c.Figures.SellOutValue), tier.GetProperty("sellOutValue").GetDecimal());
        }
        var expectedSkus = inScope.SelectMany(c => c.Skus).GroupBy(s => s.Sku)
            .Select(g => (Sku: g.Key, Value: g.Sum(s => s.SellOutValue))).OrderByDescending(s => s.Value).ThenBy(s => s.Sku, StringComparer.Ordinal).Take(3);
        Assert.Equal(expectedSkus.Select(s => s.Sku), breakdown.GetProperty("bySku").EnumerateArray().Select(s => s.GetProperty("sku").GetString()));
        var children = breakdown.GetProperty("children").EnumerateArray().ToList();
        Assert.All(children, child => Assert.Equal(
            sources.Expected(child.GetProperty("region").GetString()!, "2026-Q4").SellOutValue,
            child.GetProperty("summary").GetProperty("sellOutValue").GetDecimal()));
        Assert.Equal(inScope.Where(c => c.Region != "CN/East").Select(c => string.Join('/', c.Region.Split('/').Take(3))).Distinct().Order(StringComparer.Ordinal),
            children.Select(c => c.GetProperty("region").GetString()));
        var expectedTop = inScope.GroupBy(c => c.SourceId).Select(g => (Id: g.Key["dealer:".Length..], Value: g.Sum(c => c.Figures.SellOutValue)))
            .OrderByDescending(d => d.Value).ThenBy(d => d.Id, StringComparer.Ordinal).Take(5).ToList();
        var top = breakdown.GetProperty("topDealers").EnumerateArray().ToList();
        Assert.Equal(expectedTop.Select(d => d.Id), top.Select(d => d.GetProperty("dealerId").GetString()));
        Assert.Equal(expectedTop.Select(d => d.Value), top.Select(d => d.GetProperty("sellOutValue").GetDecimal()));
    }

    [Fact]
    public async Task A_months_top_dealers_are_the_highest_sellers_over_all_shards()
    {
        // 64 dealers over the 16 shards of one month: a shard holds several, and returns only its own top list.
        var month = Enumerable.Range(0, 64).Select(i => sources.Record(sources.Contribution($"dealer:D{i:00}", $"CN/R{i % 3}", "2026-11", DealerTier.Value))).ToArray();
        await Synthetic.PublishAsync(fixture.Grains, month);
        await sources.AssertEventuallyExactAsync(fixture.Grains);

        var breakdown = (await api.ExecuteAsync(Admin, Breakdown, new { region = "CN", period = "2026-11", top = 5 })).Data("channelBreakdown");

        var expected = month.Select(c => (Id: c.SourceId["dealer:".Length..], Value: c.Figures.SellOutValue))
            .OrderByDescending(d => d.Value).ThenBy(d => d.Id, StringComparer.Ordinal).Take(5);
        Assert.Equal(expected, breakdown.GetProperty("topDealers").EnumerateArray().Select(d => (d.GetProperty("dealerId").GetString()!, d.GetProperty("sellOutValue").GetDecimal())));
    }

    [Fact]
    public async Task A_shards_top_list_is_the_head_of_its_full_ranking_ties_included()
    {
        // 40 dealers in one shard, with few distinct values: ties are ranked by dealer id.
        var shard = fixture.Grains.GetGrain<ISourceShardGrain>(AnalyticsKeys.Shard(sources.Tenant, "2026-11", 0));
        await shard.AcceptAsync(Enumerable.Range(0, 40).Select(i =>
        {
            var c = sources.Contribution($"dealer:T{39 - i:00}", $"CN/R{i % 2}", "2026-11", DealerTier.Value);
            return c with { Version = 1, Figures = c.Figures with { SellOutValue = i % 4 * 10m } };
        }).ToArray());

        foreach (var region in new[] { "CN", "CN/R1" })
        {
            var all = await shard.GetSellersAsync(region);
            foreach (var first in new[] { 0, 1, 3, 10, 40, 50 })
                Assert.Equal(Rollup.TopSellers(all, first), await shard.GetTopSellersAsync(region, first));
        }
    }

    [Fact]
    public async Task A_shards_parts_name_the_child_regions_that_hold_its_sources_as_they_come_and_go()
    {
        // The shard keeps each region's children until the regions holding sources change: each step below must show.
        var shard = fixture.Grains.GetGrain<ISourceShardGrain>(AnalyticsKeys.Shard(sources.Tenant, "2026-09", 2));
        var version = 0L;
        Contribution Dealer(string id, string region) =>
            sources.Contribution($"dealer:{id}", region, "2026-09", DealerTier.Value) with { Version = ++version };
        async Task<string> ChildrenAsync(string region) => string.Join(" ", (await shard.GetRegionPartAsync(region)).Children);

        await shard.AcceptAsync([Dealer("A", "CN/R0/C1")]);
        Assert.Equal(("CN/R0", "CN/R0/C1"), (await ChildrenAsync("CN"), await ChildrenAsync("CN/R0")));
        await shard.AcceptAsync([Dealer("B", "CN/R1/C2"), Dealer("C", "CN/R0/C3")]); // new regions under both
        Assert.Equal(("CN/R0 CN/R1", "CN/R0/C1 CN/R0/C3"), (await ChildrenAsync("CN"), await ChildrenAsync("CN/R0")));
        await shard.AcceptAsync([Dealer("A", "CN/R1/C2")]);                        // C1 loses its only dealer
        Assert.Equal(("CN/R0 CN/R1", "CN/R0/C3", "CN/R1/C2"), (await ChildrenAsync("CN"), await ChildrenAsync("CN/R0"), await ChildrenAsync("CN/R1")));
    }

    [Fact]
    public async Task A_shards_top_list_read_before_follows_every_later_sell_out_region_and_dealer()
    {
        // The shard keeps the lists it gave until a dealer's sell-out or region changes: each step below must show.
        var shard = fixture.Grains.GetGrain<ISourceShardGrain>(AnalyticsKeys.Shard(sources.Tenant, "2026-10", 1));
        var version = 0L;
        Contribution Dealer(string id, string region, decimal sellOut, int orders = 1)
        {
            var c = sources.Contribution($"dealer:{id}", region, "2026-10", DealerTier.Value);
            return c with { Version = ++version, Figures = c.Figures with { SellOutValue = sellOut, OrderCount = orders } };
        }
        async Task AssertTopListsAsync()
        {
            foreach (var region in new[] { "CN", "CN/R0", "CN/R1" })
            {
                var all = await shard.GetSellersAsync(region);
                foreach (var first in new[] { 1, 2 })
                    Assert.Equal(Rollup.TopSellers(all, first), await shard.GetTopSellersAsync(region, first));
            }
        }

        await shard.AcceptAsync([Dealer("A", "CN/R0", 30m), Dealer("B", "CN/R0", 20m), Dealer("C", "CN/R1", 10m)]);
        await AssertTopListsAsync();
        await shard.AcceptAsync([Dealer("C", "CN/R1", 40m)]);          // sell-out: C leads
        await AssertTopListsAsync();
        await shard.AcceptAsync([Dealer("A", "CN/R1", 30m)]);          // region: A moves to R1
        await AssertTopListsAsync();
        await shard.AcceptAsync([Dealer("D", "CN/R0", 50m)]);          // a new dealer
        await AssertTopListsAsync();
        await shard.AcceptAsync([Dealer("B", "CN/R0", 20m, orders: 9)]); // orders only: the lists stand
        await AssertTopListsAsync();
        Assert.Equal(["D", "C"], (await shard.GetTopSellersAsync("CN", 2)).Select(s => s.DealerId));
    }

    [Fact]
    public async Task A_subscriber_gets_the_summary_at_once_and_a_change_within_a_second()
    {
        var first = sources.Record(sources.Contribution("dealer:S1", "CN/East/Shanghai", "2026-11", DealerTier.Value));
        await Synthetic.PublishAsync(fixture.Grains, [first]);
        await sources.AssertEventuallyExactAsync(fixture.Grains);
        var subscription = await SubscribeAsync(Admin, "CN/East", "2026-11");
        using var _ = subscription;

        var current = await subscription.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(first.Figures.SellOutValue, current.GetProperty("sellOutValue").GetDecimal());

        var changed = sources.Record(first with { Figures = first.Figures with { SellOutValue = first.Figures.SellOutValue + 1000m } });
        await Synthetic.PublishAsync(fixture.Grains, [changed]);

        var next = await subscription.NextAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(changed.Figures.SellOutValue, next.GetProperty("sellOutValue").GetDecimal());
    }

    [Fact]
    public async Task A_quarter_and_a_year_subscriber_get_a_change_of_one_of_their_months_though_unwatched_ones_sum_only_when_read()
    {
        var first = sources.Record(sources.Contribution("dealer:Q1", "CN/North/Beijing", "2026-10", DealerTier.Value));
        await Synthetic.PublishAsync(fixture.Grains, [first]);
        await sources.AssertEventuallyExactAsync(fixture.Grains); // reads every quarter and year: each sums when read
        var quarter = await SubscribeAsync(Admin, "CN/North", "2026-Q4");
        var year = await SubscribeAsync(Admin, "CN", "2026");
        using var _ = quarter;
        using var __ = year;
        Assert.Equal(first.Figures.SellOutValue, (await quarter.NextAsync(TimeSpan.FromSeconds(10))).GetProperty("sellOutValue").GetDecimal());
        Assert.Equal(first.Figures.SellOutValue, (await year.NextAsync(TimeSpan.FromSeconds(10))).GetProperty("sellOutValue").GetDecimal());

        var changed = sources.Record(first with { Figures = first.Figures with { SellOutValue = first.Figures.SellOutValue + 500m } });
        await Synthetic.PublishAsync(fixture.Grains, [changed]);

        Assert.Equal(changed.Figures.SellOutValue, (await quarter.NextAsync(TimeSpan.FromSeconds(5))).GetProperty("sellOutValue").GetDecimal());
        Assert.Equal(changed.Figures.SellOutValue, (await year.NextAsync(TimeSpan.FromSeconds(5))).GetProperty("sellOutValue").GetDecimal());
        await sources.AssertEventuallyExactAsync(fixture.Grains);
    }

    [Fact]
    public async Task A_burst_of_changes_reaches_a_subscriber_coalesced_to_one_message_per_interval_ending_at_the_final_state()
    {
        var subscription = await SubscribeAsync(Admin, "CN", "2026-12");
        using var _ = subscription;
        Assert.Equal(0m, (await subscription.NextAsync(TimeSpan.FromSeconds(10))).GetProperty("sellOutValue").GetDecimal());

        var clock = Stopwatch.StartNew();
        var contribution = sources.Contribution("dealer:B1", "CN/South/Shenzhen", "2026-12", DealerTier.Potential);
        for (var i = 1; i <= 200; i++)
        {
            await Synthetic.PublishAsync(fixture.Grains, [sources.Record(contribution with { Figures = contribution.Figures with { SellOutValue = i } })]);
            await Task.Delay(5);
        }
        var burst = clock.Elapsed;

        var messages = new List<decimal>();
        // Generous: the whole suite loads the machine (browser tests seed a demo meanwhile); a lost final state still fails.
        while (messages.LastOrDefault() != 200m) messages.Add((await subscription.NextAsync(TimeSpan.FromSeconds(30))).GetProperty("sellOutValue").GetDecimal());
        var elapsed = clock.Elapsed;

        // At most one per interval while changes kept coming, and one trailing message with the final state.
        Assert.InRange(messages.Count, 1, 2 + (int)(elapsed / ChannelGrains.Api.Analytics.AnalyticsFields.SubscriptionInterval));
        // Coalesced: fewer messages than changes (only a burst slowed to 10 s, one change per interval, could send one each).
        Assert.True(messages.Count < 200, $"{messages.Count} messages for 200 changes in {burst.TotalMilliseconds:F0} ms");
        Assert.Equal(messages.Order(), messages);
    }

    private async Task<SummarySubscription> SubscribeAsync(Caller caller, string region, string period)
    {
        var services = Services();
        var result = await services.GetRequiredService<IDocumentExecuter<ISchema>>().ExecuteAsync(new ExecutionOptions
        {
            Query = Changed,
            Variables = new Inputs(new Dictionary<string, object?> { ["region"] = region, ["period"] = period }),
            User = InProcessGraphQL.Principal(caller),
            RequestServices = services,
        });
        if (result.Errors is { Count: > 0 } errors)
        {
            services.Dispose();
            return new SummarySubscription(errors[0].Code, null!, null!, services);
        }
        var channel = Channel.CreateUnbounded<ExecutionResult>();
        var handle = result.Streams!.Values.Single().Subscribe(new Forward(channel.Writer));
        return new SummarySubscription(null, channel.Reader, handle, services);
    }

    private ServiceProvider Services()
    {
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        collection.AddSingleton(fixture.Grains);
        collection.AddSingleton(fixture.Cluster.Client);
        collection.AddChannelSchema();
        return collection.BuildServiceProvider();
    }

    private sealed record SummarySubscription(string? Error, ChannelReader<ExecutionResult> Reader, IDisposable Handle, ServiceProvider Services) : IDisposable
    {
        public void Dispose()
        {
            Handle?.Dispose();
            Services.Dispose();
        }

        public async Task<JsonElement> NextAsync(TimeSpan within)
        {
            using var timeout = new CancellationTokenSource(within);
            var result = await Reader.ReadAsync(timeout.Token);
            var json = JsonDocument.Parse(Services.GetRequiredService<IGraphQLTextSerializer>().Serialize(result)).RootElement.Clone();
            return json.Data("channelSummaryChanged");
        }
    }

    private sealed class Forward(ChannelWriter<ExecutionResult> writer) : IObserver<ExecutionResult>
    {
        public void OnCompleted() => writer.TryComplete();

        public void OnError(Exception error) => writer.TryComplete(error);

        public void OnNext(ExecutionResult value) => writer.TryWrite(value);
    }

    [Fact]
    public async Task A_total_beyond_a_GraphQL_Int_is_summed_exactly_and_served_as_an_error_that_names_it()
    {
        // 30 dealers holding the most one dealer may (100,000,000 units), 15 in each of two cities: 3 billion units in
        // CN/East and CN, beyond the 2,147,483,647 of a GraphQL Int. Summed in 32 bits, the totals wrapped.
        const long perDealer = 100_000_000;
        var contributions = Enumerable.Range(0, 30).Select(i => sources.Record(new Contribution(sources.Tenant, Contribution.DealerSource($"BIG{i}"), 0,
            i < 15 ? "CN/East/Shanghai" : "CN/East/Hangzhou", DealerTier.Value, "2026-11",
            new ChannelFigures { ChannelStockUnits = perDealer, OrderCount = 1 }, [new SkuFigures("P1", 0, 0m, 0, 0m, perDealer)]))).ToArray();
        await Synthetic.PublishAsync(fixture.Grains, contributions);
        var cn = fixture.Grains.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(sources.Tenant, Period.Parse("2026-11"), "CN"));
        await Eventually.TrueAsync(async () => (await cn.GetSummaryAsync()).Figures.OrderCount == 30, TimeSpan.FromSeconds(30),
            async () => $"CN holds {(await cn.GetSummaryAsync()).Figures}");
        Assert.Equal(3_000_000_000L, (await cn.GetSummaryAsync()).Figures.ChannelStockUnits); // 32 bits held -1,294,967,296

        var city = (await api.ExecuteAsync(Admin, Summary, new { region = "CN/East/Shanghai", period = "2026-11" })).Data("channelSummary");
        Assert.Equal(15 * perDealer, city.GetProperty("channelStockUnits").GetInt64());
        var children = (await api.ExecuteAsync(Admin, "query { channelBreakdown(region: \"CN/East\", period: \"2026-11\") { children { region summary { channelStockUnits orderCount } } } }"))
            .Data("channelBreakdown", "children");
        Assert.All(children.EnumerateArray(), child => Assert.Equal(15 * perDealer, child.GetProperty("summary").GetProperty("channelStockUnits").GetInt64()));

        foreach (var region in new[] { "CN/East", "CN" })
        {
            var tooLarge = await api.ExecuteAsync(Admin, Summary, new { region, period = "2026-Q4" });
            Assert.Equal("INT_OUT_OF_RANGE", tooLarge.ErrorCode());
            Assert.Contains("channelStockUnits is 3,000,000,000", tooLarge.GetProperty("errors")[0].GetProperty("message").GetString());
            var sku = await api.ExecuteAsync(Admin, "query($region: String!) { channelBreakdown(region: $region, period: \"2026-11\") { bySku(first: 1) { sku stockUnits } } }", new { region });
            Assert.Equal("INT_OUT_OF_RANGE", sku.ErrorCode());
            var counts = (await api.ExecuteAsync(Admin, "query($region: String!) { channelSummary(region: $region, period: \"2026-11\") { orderCount } }", new { region }))
                .Data("channelSummary");
            Assert.Equal(30, counts.GetProperty("orderCount").GetInt32()); // the figures that fit are served as ever
        }
    }

    public void Dispose() => api.Dispose();
}
