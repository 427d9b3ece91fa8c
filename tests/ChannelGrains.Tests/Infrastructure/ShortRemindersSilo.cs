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
}
