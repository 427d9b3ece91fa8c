using ChannelGrains.Analytics;
using ChannelGrains.Ordering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Tests.Hosting;

/// <summary>
/// The grains' timings are checked when the silo starts. A period below Orleans' minimum reminder period started fine
/// and then failed in whatever call registered it: Ordering:AuditPeriod every placeOrder, as each holder registered its
/// audit reminder; Analytics:HealSweepInterval every upsertDealer of a new dealer (INTERNAL_SERVER_ERROR), as its index
/// bucket registered the sweep after the dealer was stored, leaving the dealer unlisted.
/// </summary>
public sealed class GrainOptionsTests
{
    [Theory]
    [InlineData("Ordering:AuditPeriod", "00:00:10", null, false)]
    [InlineData("Ordering:AuditPeriod", "00:00:59", null, false)]
    [InlineData("Ordering:AuditPeriod", "00:01:00", null, true)]
    [InlineData("Ordering:AuditPeriod", "00:00:01", "00:00:01", true)] // tests lower Orleans' minimum, and may then audit every second
    [InlineData("Analytics:HealSweepInterval", "00:00:40", null, false)]
    [InlineData("Analytics:HealSweepInterval", "00:00:59", null, false)]
    [InlineData("Analytics:HealSweepInterval", "00:01:00", null, true)]
    [InlineData("Analytics:HealSweepInterval", "00:00:12", "00:00:01", true)]
    public void A_period_registered_as_a_reminder_must_be_one_Orleans_accepts(string key, string period, string? minimumReminderPeriod, bool accepted)
    {
        using var services = GrainServicesWith.Setting((key, period), minimumReminderPeriod);
        TimeSpan Read() => key == "Ordering:AuditPeriod"
            ? services.GetRequiredService<IOptions<OrderingOptions>>().Value.AuditPeriod
            : services.GetRequiredService<IOptions<AnalyticsOptions>>().Value.HealSweepInterval;

        if (accepted) Assert.Equal(TimeSpan.Parse(period), Read());
        else Assert.Contains(key, Assert.Throws<OptionsValidationException>(() => Read()).Message);
    }

    [Theory]
    [InlineData("Ordering:AuditReservationsAfter", "00:00:00")]
    [InlineData("Ordering:RecheckHeldEvery", "-1.00:00:00")]
    [InlineData("Ordering:ClosedMonthsHeld", "-1")]
    public void Other_timings_out_of_range_are_refused(string key, string value)
    {
        using var services = GrainServicesWith.Setting((key, value), null);

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<OrderingOptions>>().Value);
    }
}
