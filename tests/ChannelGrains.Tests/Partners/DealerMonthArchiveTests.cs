using ChannelGrains.Analytics;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Storage;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Partners;

/// <summary>A one-silo cluster whose dealers' heal period is a second, so that a closed month is archived seconds after its last change.</summary>
public sealed class ShortHealCluster : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IServiceProvider Silo => Assert.IsType<InProcessSiloHandle>(Cluster.Primary).SiloHost.Services;

    public IGrainStorage Storage => Silo.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel);

    public async Task InitializeAsync() => Cluster = await ShortRemindersSilo.StartAsync(("Analytics:DealerHealPeriod", "00:00:01"));

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// A dealer's closed months move out of its state into its month archive (<see cref="DealerMonthArchive"/>): the state
/// stays bounded, and every figure still counts once, in quotas and in the live aggregates, through late changes,
/// imports and a write that fails after the archive was written.
/// </summary>
public sealed class DealerMonthArchiveTests(ShortHealCluster fixture) : IClassFixture<ShortHealCluster>
{
    private const string Region = "CN/East/Jiangsu/Nanjing";

    private readonly string tenant = TestTenant.New();
    private int writes;

    private IGrainFactory Grains => fixture.Cluster.Client;

    private IDealerGrain Dealer => Grains.GetGrain<IDealerGrain>(Keys.Of(tenant, "D1"));

    private IDealerMonthArchiveGrain Archive => Grains.GetGrain<IDealerMonthArchiveGrain>(DealerMonthArchive.Key(Keys.Of(tenant, "D1")));

    private static string MonthsAgo(int back)
    {
        var now = DateTime.UtcNow;
        return Period.MonthOf(new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-back)).ToString();
    }

    private static readonly string Current = MonthsAgo(0);

    /// <summary>Months 1 to <paramref name="count"/> ago, each with 1,000 of sell-in, 1,200 of sell-out and a quota of 1,500.</summary>
    private static HistoricMonth[] History(int count) =>
        [.. Enumerable.Range(1, count).Select(back => new HistoricMonth(MonthsAgo(back), 3, [new HistoricSku("TEA", 100, 1_000m, 80, 1_200m, 40)], 1_500m))];

    private async Task DealerWithHistoryAsync(int months)
    {
        var product = Grains.GetGrain<IProductGrain>(Keys.Of(tenant, "TEA"));
        await product.UpsertAsync(new ProductInfo("TEA", "Tea", 10m, 8m));
        await Dealer.UpsertAsync(new DealerInfo("D1", "D1", Region, DealerTier.Value, DealerStatus.Admitted, 1_000_000m, ["TEA"]));
        await Dealer.ImportHistoryAsync(new DealerHistoryImport(History(months), [new SkuQuantity("TEA", 500)]));
    }

    /// <summary>A write of the dealer that touches only its current month (a new quota target each time).</summary>
    private Task WriteAsync() => Dealer.SetQuotaAsync(Current, 100m + Interlocked.Increment(ref writes));

    private Task<DealerState> StoredAsync() => StoredDealer.ReadAsync(fixture.Storage, Dealer);

    /// <summary>Writes the dealer until its stored state names <paramref name="archived"/> months as archived (their heal periods must pass first).</summary>
    private async Task<DealerState> WriteUntilArchivedAsync(int archived)
    {
        DealerState stored = null!;
        await Eventually.TrueAsync(async () =>
        {
            await WriteAsync();
            stored = await StoredAsync();
            return (stored.ArchivedMonths?.Count ?? 0) == archived;
        }, TimeSpan.FromSeconds(20), async () => $"the stored dealer names {string.Join(", ", (await StoredAsync()).ArchivedMonths ?? [])} as archived");
        return stored;
    }

    private async Task<decimal> SummaryAsync(string month, string field)
    {
        var api = new InProcessGraphQL(Grains, fixture.Cluster.Client);
        var result = await api.ExecuteAsync(Callers.Admin(tenant), $"query($period: String!) {{ channelSummary(region: \"CN\", period: $period) {{ {field} }} }}", new { period = month });
        return result.Data("channelSummary").GetProperty(field).GetDecimal();
    }

    private async Task SummaryShowsAsync(string month, string field, decimal expected) =>
        await Eventually.TrueAsync(async () => await SummaryAsync(month, field) == expected, TimeSpan.FromSeconds(15),
            async () => $"CN shows {field} {await SummaryAsync(month, field)} for {month}, not {expected}");

    [Fact]
    public async Task A_dealer_with_two_years_holds_four_months_and_its_archived_months_still_count_in_quotas_and_aggregates()
    {
        await DealerWithHistoryAsync(24);

        var stored = await WriteUntilArchivedAsync(21);

        Assert.Equal([MonthsAgo(3), MonthsAgo(2), MonthsAgo(1), Current], stored.Months.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(4, 21).Select(MonthsAgo).Order(StringComparer.Ordinal), stored.ArchivedMonths!.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(MonthsAgo(10), stored.Quotas!.Keys);
        Assert.Equal(21, (await Archive.GetAsync([.. stored.ArchivedMonths!])).Count);

        // A year that is mostly archived: 12 targets and 12 months of sell-in, each once.
        var lastYear = (DateTime.UtcNow.Year - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new QuotaProgress("D1", lastYear, 12 * 1_500m, 12 * 1_000m), await Dealer.GetQuotaAsync(lastYear));
        Assert.Equal(new QuotaProgress("D1", MonthsAgo(20), 1_500m, 1_000m), await Dealer.GetQuotaAsync(MonthsAgo(20)));

        // The aggregates still show each archived month's figures, once (archiving published them again).
        foreach (var month in new[] { MonthsAgo(4), MonthsAgo(24) }) await SummaryShowsAsync(month, "orderValue", 1_000m);
        await SummaryShowsAsync(MonthsAgo(10), "quotaTarget", 1_500m);
    }

    [Fact]
    public async Task An_archived_month_a_shard_lost_is_published_again_by_the_heal_from_the_archive_and_by_the_next_activation()
    {
        await DealerWithHistoryAsync(6);
        await WriteUntilArchivedAsync(3);
        var month = MonthsAgo(5);
        var source = Contribution.DealerSource("D1");
        var shard = Grains.GetGrain<ISourceShardGrain>(AnalyticsKeys.Shard(tenant, month, AnalyticsKeys.ShardIndex(source)));

        // The heal's re-publishing reads the month from the archive (months held neither way are skipped).
        await ShardLoss.LoseAsync(fixture.Silo, shard, source, Region);
        await Dealer.RepublishAsync([month, MonthsAgo(2), "1999-01"]);
        await ShardHoldsAsync(shard, 1_000m);

        // The dealer deactivates before a write found its heal done with the month (the heal is done with it now, so
        // only the activation can publish it): its next activation publishes it, and makes it due in the heal again.
        var heal = fixture.Silo.GetRequiredService<DealerHeal>();
        var dealerKey = Keys.Of(tenant, "D1");
        await Eventually.HoldsAsync(() => !heal.IsDue(dealerKey, month), "the heal is done with the archived month", TimeSpan.FromSeconds(20));
        Assert.Contains(month, (await StoredAsync()).RecentlyArchived!);
        await ShardLoss.LoseAsync(fixture.Silo, shard, source, Region);
        await Dealer.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var dueAfterActivation = false;
        await Eventually.TrueAsync(async () =>
        {
            await Dealer.GetAsync();
            dueAfterActivation |= heal.IsDue(dealerKey, month);
            return await ShardOrderValueAsync(shard) == 1_000m;
        }, TimeSpan.FromSeconds(15), async () => $"the shard holds an order value of {await ShardOrderValueAsync(shard)}");
        Assert.True(dueAfterActivation);

        // Once the heal is done with them, a write stops naming them.
        await Eventually.TrueAsync(async () =>
        {
            await WriteAsync();
            return (await StoredAsync()).RecentlyArchived is null;
        }, TimeSpan.FromSeconds(20), async () => $"the dealer still names {string.Join(", ", (await StoredAsync()).RecentlyArchived!)} as recently archived");
    }

    private static async Task<decimal> ShardOrderValueAsync(ISourceShardGrain shard) => (await shard.GetRegionPartAsync(Region)).Totals.Figures.OrderValue;

    private static Task ShardHoldsAsync(ISourceShardGrain shard, decimal orderValue) =>
        Eventually.TrueAsync(async () => await ShardOrderValueAsync(shard) == orderValue, TimeSpan.FromSeconds(15),
            async () => $"the shard holds an order value of {await ShardOrderValueAsync(shard)}, not {orderValue}");

    [Fact]
    public async Task A_late_report_for_an_archived_month_brings_it_back_counts_once_and_the_month_is_archived_again_with_it()
    {
        await DealerWithHistoryAsync(6);
        await WriteUntilArchivedAsync(3);
        var late = new SellOutReport("LATE", "D1", DateTime.Parse(MonthsAgo(5) + "-10T10:00:00Z", null, System.Globalization.DateTimeStyles.AdjustToUniversal), [new SellOutLine("TEA", 10, 100m, null)]);

        await Dealer.ReportSellOutAsync(late);
        await Dealer.ReportSellOutAsync(late);

        var stored = await StoredAsync();
        Assert.Equal(1_300m, stored.Months[MonthsAgo(5)].SellOutValue);
        Assert.DoesNotContain(MonthsAgo(5), stored.ArchivedMonths!);
        Assert.Equal(1_500m, stored.Quotas![MonthsAgo(5)]);
        Assert.Equal(490, (await Dealer.GetAsync())!.Inventory.Single().OnHand);
        await SummaryShowsAsync(MonthsAgo(5), "sellOutValue", 1_300m);

        // Once its heal periods pass, the month goes back to the archive with the report in it.
        stored = await WriteUntilArchivedAsync(3);
        Assert.Contains(MonthsAgo(5), stored.ArchivedMonths!);
        Assert.Equal(1_300m, (await Archive.GetAsync([MonthsAgo(5)]))[MonthsAgo(5)].Figures.SellOutValue);
        await Dealer.ReportSellOutAsync(late);
        Assert.Equal(490, (await Dealer.GetAsync())!.Inventory.Single().OnHand);
        await SummaryShowsAsync(MonthsAgo(5), "sellOutValue", 1_300m);
    }

    [Fact]
    public async Task A_quota_or_an_import_for_an_archived_month_changes_it_in_place_and_nothing_counts_twice()
    {
        await DealerWithHistoryAsync(6);
        await WriteUntilArchivedAsync(3);

        // A quota keeps the month's sell-in; an import replaces the whole month, without reading the archived one.
        Assert.Equal(new QuotaProgress("D1", MonthsAgo(4), 2_000m, 1_000m), await Dealer.SetQuotaAsync(MonthsAgo(4), 2_000m));
        var replaced = new HistoricMonth(MonthsAgo(6), 1, [new HistoricSku("TEA", 10, 700m, 0, 0m, 0)], 900m);
        await Dealer.ImportHistoryAsync(new DealerHistoryImport([replaced]));

        Assert.Equal(new QuotaProgress("D1", MonthsAgo(6), 900m, 700m), await Dealer.GetQuotaAsync(MonthsAgo(6)));
        // Month 4 may be archived again by now (its heal periods are a second); month 6 is held, and 5 stayed archived.
        var stored = await StoredAsync();
        Assert.Contains(MonthsAgo(5), stored.ArchivedMonths!);
        Assert.DoesNotContain(MonthsAgo(6), stored.ArchivedMonths!);
        Assert.Equal(700m, stored.Months[MonthsAgo(6)].OrderValue);
        Assert.Equal(new QuotaProgress("D1", MonthsAgo(4), 2_000m, 1_000m), await Dealer.GetQuotaAsync(MonthsAgo(4)));
        await SummaryShowsAsync(MonthsAgo(6), "orderValue", 700m);
        await SummaryShowsAsync(MonthsAgo(4), "quotaTarget", 2_000m);
        await SummaryShowsAsync(MonthsAgo(4), "orderValue", 1_000m);
    }

    [Fact]
    public async Task A_write_that_fails_after_the_archive_was_written_leaves_the_dealer_holding_its_months_and_nothing_counted_twice()
    {
        await DealerWithHistoryAsync(6);
        var heal = fixture.Silo.GetRequiredService<DealerHeal>();
        await Eventually.HoldsAsync(() => !Enumerable.Range(1, 6).Any(back => heal.IsDue(Keys.Of(tenant, "D1"), MonthsAgo(back))),
            "the imported months are no longer due in the heal", TimeSpan.FromSeconds(20));

        // Another writer bumps the stored dealer's version: the next write archives months 4 to 6, then its own write
        // fails, as if the dealer had died between the two.
        var row = new GrainState<DealerState>();
        await fixture.Storage.ReadStateAsync("dealer", Dealer.GetGrainId(), row);
        await fixture.Storage.WriteStateAsync("dealer", Dealer.GetGrainId(), row);
        await Assert.ThrowsAnyAsync<Exception>(WriteAsync);

        Assert.Equal(3, (await Archive.GetAsync([MonthsAgo(4), MonthsAgo(5), MonthsAgo(6)])).Count);
        var stored = await StoredAsync();
        Assert.Null(stored.ArchivedMonths);
        Assert.Equal(7, stored.Months.Count);

        // The archive's copy is not read while the dealer holds the month: a change goes to the dealer's figures.
        await Dealer.SetQuotaAsync(MonthsAgo(5), 1_800m);
        var rewritten = await Archive.GetAsync([MonthsAgo(5)]);
        Assert.Equal(1_500m, rewritten[MonthsAgo(5)].QuotaTarget);
        Assert.Equal(new QuotaProgress("D1", MonthsAgo(5), 1_800m, 1_000m), await Dealer.GetQuotaAsync(MonthsAgo(5)));

        // Archived again, its quota is the dealer's; every month counts once.
        await WriteUntilArchivedAsync(3);
        Assert.Equal(1_800m, (await Archive.GetAsync([MonthsAgo(5)]))[MonthsAgo(5)].QuotaTarget);
        var sixMonths = await Task.WhenAll(Enumerable.Range(1, 6).Select(back => Dealer.GetQuotaAsync(MonthsAgo(back))));
        Assert.Equal(6_000m, sixMonths.Sum(q => q.Achieved));
        Assert.Equal(5 * 1_500m + 1_800m, sixMonths.Sum(q => q.Target));
        await SummaryShowsAsync(MonthsAgo(5), "quotaTarget", 1_800m);
        await SummaryShowsAsync(MonthsAgo(6), "orderValue", 1_000m);
    }

    [Fact]
    public async Task Concurrent_late_reports_for_archived_months_and_writes_are_each_applied_once()
    {
        await DealerWithHistoryAsync(8);
        await WriteUntilArchivedAsync(5);
        var reports = Enumerable.Range(0, 40).Select(i => new SellOutReport($"C{i}", "D1",
            DateTime.Parse(MonthsAgo(4 + i % 5) + "-12T08:00:00Z", null, System.Globalization.DateTimeStyles.AdjustToUniversal), [new SellOutLine("TEA", 1, 10m, null)])).ToArray();

        // Every report twice, and quota writes, all at once.
        await Task.WhenAll(reports.Concat(reports).Select(r => (Task)Dealer.ReportSellOutAsync(r)).Concat(Enumerable.Range(0, 10).Select(_ => WriteAsync())));

        Assert.Equal(460, (await Dealer.GetAsync())!.Inventory.Single().OnHand);
        foreach (var back in Enumerable.Range(4, 5)) await SummaryShowsAsync(MonthsAgo(back), "sellOutValue", 1_280m);
        await WriteUntilArchivedAsync(5);
        var archived = await Archive.GetAsync([.. Enumerable.Range(4, 5).Select(MonthsAgo)]);
        Assert.All(archived.Values, a => Assert.Equal(1_280m, a.Figures.SellOutValue));
    }
}
