using ChannelGrains.Analytics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Tests.Hosting;

/// <summary>
/// The heal sweep's interval is checked when the silo starts. One below Orleans' minimum reminder period started fine
/// and then failed every upsertDealer of a new dealer (INTERNAL_SERVER_ERROR) as its index bucket registered the sweep,
/// after the dealer was stored: the dealer existed, unlisted.
/// </summary>
public sealed class AnalyticsOptionsTests
{
    [Theory]
    [InlineData("00:00:40", null, false)]
    [InlineData("00:00:59", null, false)]
    [InlineData("00:01:00", null, true)]
    [InlineData("00:00:12", "00:00:01", true)] // tests lower Orleans' minimum
    public void The_heal_sweep_interval_must_be_one_Orleans_accepts_for_a_reminder(string interval, string? minimumReminderPeriod, bool accepted)
    {
        using var services = GrainServicesWith.Setting(("Analytics:HealSweepInterval", interval), minimumReminderPeriod);

        if (accepted) Assert.Equal(TimeSpan.Parse(interval), services.GetRequiredService<IOptions<AnalyticsOptions>>().Value.HealSweepInterval);
        else Assert.Contains("Analytics:HealSweepInterval", Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AnalyticsOptions>>().Value).Message);
    }
}
