using ChannelGrains.Analytics;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Analytics;

/// <summary>Rules 17 and 18 on the shared two-silo cluster: every aggregate ends at the exact sum of its sources.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PipelineTests(ClusterFixture fixture)
{
    private readonly Synthetic sources = new(TestTenant.New(), seed: Environment.TickCount);

    private IGrainFactory Grains => fixture.Grains;

    private Task<ChannelSummaryView> SummaryAsync(string region, string period) =>
        Grains.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(sources.Tenant, Period.Parse(period), region)).GetSummaryAsync();

    private Task<ChannelBreakdownView> BreakdownAsync(string region, string period) =>
        Grains.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(sources.Tenant, Period.Parse(period), region)).GetBreakdownAsync();

    [Fact]
    public async Task After_a_randomized_burst_every_region_and_period_equals_the_sum_of_its_sources()
    {
        await Synthetic.PublishAsync(Grains, sources.Burst(sources: 150, updates: 2_000));

        await sources.AssertEventuallyExactAsync(Grains);
    }

    [Fact]
    public async Task Duplicated_and_reordered_contributions_change_nothing()
    {
        var burst = sources.Burst(sources: 80, updates: 1_000);

        await Synthetic.PublishAsync(Grains, new FaultyDelivery(seed: 7, duplicate: 0.5, drop: 0).Apply(burst));

        await sources.AssertEventuallyExactAsync(Grains);
    }

    [Fact]
    public async Task Dropped_contributions_are_healed_by_the_sources_republishing_and_late_stale_arrivals_change_nothing()
    {
        var burst = sources.Burst(sources: 80, updates: 1_000);
        var faults = new FaultyDelivery(seed: 11, duplicate: 0.3, drop: 0.3);
        await Synthetic.PublishAsync(Grains, faults.Apply(burst));
        Assert.True(faults.Dropped > 0);

        await Synthetic.PublishAsync(Grains, sources.Heal());
        await Synthetic.PublishAsync(Grains, faults.Apply(burst.Take(300).ToArray()));

        await sources.AssertEventuallyExactAsync(Grains);
    }

    [Fact]
    public async Task A_source_that_moves_region_leaves_the_old_regions_sums()
    {
        var contribution = sources.Contribution("dealer:M1", "CN/East/Shanghai", "2026-11", DealerTier.Value);
        var before = sources.Record(contribution with { Figures = contribution.Figures with { SellOutValue = 123.45m } });
        await Synthetic.PublishAsync(Grains, [before]);
        await sources.AssertEventuallyExactAsync(Grains);
        Assert.Equal(before.Figures.SellOutValue, (await SummaryAsync("CN/East/Shanghai", "2026-11")).Figures.SellOutValue);

        var moved = sources.Record(before with { Region = "CN/North/Beijing" });
        await Synthetic.PublishAsync(Grains, [moved]);

        await sources.AssertEventuallyExactAsync(Grains);
        Assert.Equal(0m, (await SummaryAsync("CN/East", "2026-11")).Figures.SellOutValue);
        Assert.Equal(moved.Figures.SellOutValue, (await SummaryAsync("CN/North", "2026-11")).Figures.SellOutValue);
    }

    [Fact]
    public async Task Quota_target_and_achieved_of_every_parent_equal_the_sum_of_its_children_in_every_period()
    {
        await Synthetic.PublishAsync(Grains, sources.Burst(sources: 60, updates: 600));
        await sources.AssertEventuallyExactAsync(Grains);

        foreach (var period in Synthetic.Periods)
        foreach (var parent in Synthetic.Regions)
        {
            var breakdown = await BreakdownAsync(parent, period);
            var children = await Task.WhenAll(breakdown.Children.Select(child => SummaryAsync(child, period)));
            // Dealers may sit at an inner region too: the parent is its own dealers plus its children.
            var own = sources.Latest.Values.Where(c => c.Region == parent && Period.Parse(period).Months().Any(m => m.ToString() == c.Month)).ToList();
            Assert.Equal(breakdown.Totals.Figures.QuotaTarget, children.Sum(c => c.Figures.QuotaTarget) + own.Sum(c => c.Figures.QuotaTarget));
            Assert.Equal(breakdown.Totals.Figures.QuotaAchieved, children.Sum(c => c.Figures.QuotaAchieved) + own.Sum(c => c.Figures.QuotaAchieved));
        }
    }

    [Fact]
    public async Task A_leaf_only_tree_has_parent_quota_exactly_the_sum_of_children()
    {
        var leaves = new[] { "CN/East/Shanghai", "CN/East/Hangzhou", "CN/North/Beijing" };
        var contributions = leaves.SelectMany((leaf, i) => Synthetic.Months.Select(month =>
            sources.Record(sources.Contribution($"dealer:L{i}", leaf, month, DealerTier.Strategic)))).ToArray();
        await Synthetic.PublishAsync(Grains, contributions);
        await sources.AssertEventuallyExactAsync(Grains);

        foreach (var period in Synthetic.Periods)
        {
            var root = await BreakdownAsync("CN", period);
            var children = await Task.WhenAll(root.Children.Select(child => SummaryAsync(child, period)));
            Assert.Equal(new[] { "CN/East", "CN/North" }, root.Children);
            Assert.Equal(root.Totals.Figures.QuotaTarget, children.Sum(c => c.Figures.QuotaTarget));
            Assert.Equal(root.Totals.Figures.QuotaAchieved, children.Sum(c => c.Figures.QuotaAchieved));
            Assert.Equal(contributions.Where(c => Period.Parse(period).Months().Any(m => m.ToString() == c.Month)).Sum(c => c.Figures.QuotaTarget),
                root.Totals.Figures.QuotaTarget);
        }
    }

    [Fact]
    public async Task A_quarter_is_the_sum_of_its_months_and_its_stock_that_of_its_latest_month_with_data()
    {
        await Synthetic.PublishAsync(Grains, sources.Burst(sources: 40, updates: 400));
        await sources.AssertEventuallyExactAsync(Grains);

        foreach (var region in Synthetic.Regions)
        {
            var quarter = (await SummaryAsync(region, "2026-Q4")).Figures;
            var months = await Task.WhenAll(new[] { "2026-10", "2026-11", "2026-12" }.Select(m => SummaryAsync(region, m)));
            Assert.Equal(months.Sum(m => m.Figures.OrderValue), quarter.OrderValue);
            Assert.Equal(months.Sum(m => m.Figures.SellOutValue), quarter.SellOutValue);
            Assert.Equal(months.Sum(m => m.Figures.QuotaTarget), quarter.QuotaTarget);
            Assert.Equal(months.Sum(m => m.Figures.OrderCount), quarter.OrderCount);
            var lastWithData = sources.Latest.Values.Where(c => RegionPath.IsWithin(c.Region, region) && c.Month.CompareTo("2026-10") >= 0)
                .Select(c => c.Month).DefaultIfEmpty("").Max(StringComparer.Ordinal);
            Assert.Equal(months.SingleOrDefault(m => m.Period == lastWithData)?.Figures.ChannelStockUnits ?? 0, quarter.ChannelStockUnits);
        }
    }

    [Fact]
    public async Task Breakdowns_by_tier_and_by_sku_equal_the_sums_of_the_sources()
    {
        await Synthetic.PublishAsync(Grains, sources.Burst(sources: 50, updates: 500));
        await sources.AssertEventuallyExactAsync(Grains);

        var breakdown = await BreakdownAsync("CN/East", "2026-11");

        var inScope = sources.Latest.Values.Where(c => c.Month == "2026-11" && RegionPath.IsWithin(c.Region, "CN/East")).ToList();
        foreach (var tier in Enum.GetValues<DealerTier>())
        {
            var ofTier = inScope.Where(c => c.Tier == tier).ToList();
            var actual = breakdown.Totals.ByTier.GetValueOrDefault(tier.ToString());
            Assert.Equal(ofTier.Sum(c => c.Figures.SellOutValue), actual?.SellOutValue ?? 0m);
            Assert.Equal(ofTier.Sum(c => c.Figures.OrderCount), actual?.OrderCount ?? 0);
        }
        foreach (var sku in inScope.SelectMany(c => c.Skus).GroupBy(s => s.Sku))
        {
            var actual = breakdown.Totals.BySku[sku.Key];
            Assert.Equal(sku.Sum(s => s.SellOutUnits), actual.SellOutUnits);
            Assert.Equal(sku.Sum(s => s.OrderValue), actual.OrderValue);
            Assert.Equal(sku.Sum(s => s.StockUnits), actual.StockUnits);
        }
        Assert.Equal(inScope.SelectMany(c => c.Skus).Select(s => s.Sku).Distinct().Count(), breakdown.Totals.BySku.Count);
    }

    [Fact]
    public async Task Aggregates_of_one_tenant_never_include_another_tenants_sources()
    {
        var other = new Synthetic(TestTenant.New(), seed: 3);
        await Synthetic.PublishAsync(Grains, other.Burst(sources: 20, updates: 200));
        await Synthetic.PublishAsync(Grains, sources.Burst(sources: 20, updates: 200));

        await sources.AssertEventuallyExactAsync(Grains);
        await other.AssertEventuallyExactAsync(Grains);
    }
}
