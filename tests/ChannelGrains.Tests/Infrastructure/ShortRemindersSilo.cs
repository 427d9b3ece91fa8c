using ChannelGrains.Silo.Hosting;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>
/// A memory-mode test silo whose reminders may fire every second, for tests of reminder-driven work (heal sweeps,
/// holdings audits); the periods themselves come from the cluster's properties.
/// </summary>
public sealed class ShortRemindersSilo : ISiloConfigurator
{
    public void Configure(ISiloBuilder silo)
    {
        silo.AddChannelProviders(connectionString: null, silo.Configuration);
        silo.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }

    /// <summary>A deployed one-silo cluster of these silos, with the given configuration properties (the periods).</summary>
    public static Task<TestCluster> StartAsync(params (string Key, string Value)[] properties) => OwnCluster<ShortRemindersSilo>.StartAsync(silos: 1, properties);
}
