using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Silo.Hosting;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Analytics;

/// <summary>
/// Rule 17's heal for sources nobody touches: a dealer re-publishes its months when it activates, and the dealer
/// index wakes every dealer on a reminder, so one whose contributions died with a silo does not stay stale.
/// </summary>
public sealed class HealSweepTests
{
    [Fact]
    public async Task Dealer_index_wakes_every_dealer_after_they_were_deactivated()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        builder.Properties["Analytics:HealSweepInterval"] = "00:00:02";
        builder.AddSiloBuilderConfigurator<FastSweep>();
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var tenant = TestTenant.New();
        var dealers = Enumerable.Range(0, 20).Select(i => new DealerInfo($"D{i}", $"D{i}", "CN/East", DealerTier.Value, DealerStatus.Admitted, 10m, [])).ToArray();
        await new DealerRegistry(cluster.Client).UpsertAsync(tenant, dealers);
        var management = cluster.Client.GetGrain<IManagementGrain>(0);

        await management.ForceActivationCollection(TimeSpan.Zero);
        Assert.True(await ActiveDealersAsync(management) < dealers.Length, "the dealers were not deactivated");

        await Eventually.TrueAsync(async () => await ActiveDealersAsync(management) >= dealers.Length, TimeSpan.FromSeconds(30),
            async () => $"{await ActiveDealersAsync(management)} of {dealers.Length} dealers active");
    }

    private static async Task<int> ActiveDealersAsync(IManagementGrain management) =>
        (await management.GetSimpleGrainStatistics()).Where(s => s.GrainType.Contains(nameof(DealerGrain), StringComparison.Ordinal)).Sum(s => s.ActivationCount);

    private sealed class FastSweep : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddChannelProviders(connectionString: null, silo.Configuration);
            silo.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        }
    }
}
