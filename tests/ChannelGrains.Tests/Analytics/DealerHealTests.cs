using ChannelGrains.Analytics;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Analytics;

/// <summary>
/// Rule 17's heal for dealers that changed lately: each silo asks them, every heal period, to publish the months they
/// changed in that period and the one before, so a contribution a shard lost with its silo comes back.
/// </summary>
public sealed class DealerHealTests
{
    [Fact]
    public void A_dealers_months_are_due_in_the_two_rounds_after_their_change_and_not_after()
    {
        using var heal = new DealerHeal(null!, Options.Create(new AnalyticsOptions()), TimeProvider.System, NullLogger<DealerHeal>.Instance);

        heal.Changed("t/D1", ["2026-11"]);
        heal.Changed("t/D2", ["2026-12"]);
        heal.Changed("t/D1", ["2026-12"]);
        Assert.Equal(["t/D1 2026-11,2026-12", "t/D2 2026-12"], Round(heal));

        heal.Changed("t/D2", ["2026-10"]);
        Assert.Equal(["t/D1 2026-11,2026-12", "t/D2 2026-10,2026-12"], Round(heal));
        Assert.Equal(["t/D2 2026-10"], Round(heal));
        Assert.Empty(Round(heal));
    }

    [Fact]
    public void A_dealer_that_deactivated_is_not_asked_its_activation_published_every_month()
    {
        using var heal = new DealerHeal(null!, Options.Create(new AnalyticsOptions()), TimeProvider.System, NullLogger<DealerHeal>.Instance);
        heal.Changed("t/D1", ["2026-11"]);
        heal.Changed("t/D2", ["2026-11"]);
        Round(heal);

        heal.Deactivated("t/D1");

        Assert.Equal(["t/D2 2026-11"], Round(heal));
    }

    [Fact]
    public async Task A_contribution_a_shard_lost_is_published_again_by_the_dealers_silo()
    {
        // Rounds run when the test says: the timer's first one is an hour away.
        await using var cluster = await ShortRemindersSilo.StartAsync(("Analytics:DealerHealPeriod", "01:00:00"), ("Analytics:PersistInterval", "00:00:00.200"));
        var tenant = TestTenant.New();
        var month = Period.MonthOf(DateTime.UtcNow).ToString();
        var dealer = cluster.Client.GetGrain<IDealerGrain>(Keys.Of(tenant, "D1"));
        await dealer.UpsertAsync(new DealerInfo("D1", "D1", "CN/East", DealerTier.Value, DealerStatus.Admitted, 1_000m, []));
        await dealer.SetQuotaAsync(month, 700m);
        var shard = cluster.Client.GetGrain<ISourceShardGrain>(AnalyticsKeys.Shard(tenant, month, AnalyticsKeys.ShardIndex(Contribution.DealerSource("D1"))));
        await Eventually.TrueAsync(async () => await QuotaTargetAsync(shard) == 700m, TimeSpan.FromSeconds(10), () => Task.FromResult("the shard never held it"));

        // The shard loses the dealer, as when its silo died before it stored the contribution: its stored state is
        // replaced by one without the dealer while it is not active.
        await ShardLoss.LoseAsync(Silo(cluster), shard, Contribution.DealerSource("D1"), "CN/East");

        await Silo(cluster).GetRequiredService<DealerHeal>().RunRoundAsync();

        await Eventually.TrueAsync(async () => await QuotaTargetAsync(shard) == 700m, TimeSpan.FromSeconds(10),
            async () => $"the shard holds a quota target of {await QuotaTargetAsync(shard)}");
    }

    private static string[] Round(DealerHeal heal) =>
        [.. heal.TakeRound().Select(d => $"{d.DealerKey} {string.Join(",", d.Months.Order(StringComparer.Ordinal))}").Order(StringComparer.Ordinal)];

    private static async Task<decimal> QuotaTargetAsync(ISourceShardGrain shard) => (await shard.GetRegionPartAsync("CN/East")).Totals.Figures.QuotaTarget;

    private static IServiceProvider Silo(TestCluster cluster) => Assert.IsType<InProcessSiloHandle>(cluster.Primary).SiloHost.Services;
}
