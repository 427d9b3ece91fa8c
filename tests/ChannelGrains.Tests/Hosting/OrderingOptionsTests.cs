using ChannelGrains.Ordering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Tests.Hosting;

/// <summary>
/// The ordering timings are checked when the silo starts. An audit period below Orleans' minimum reminder period
/// started fine and then failed every placeOrder, as each holder registered its audit reminder.
/// </summary>
public sealed class OrderingOptionsTests
{
    [Theory]
    [InlineData("00:00:10", null, false)]
    [InlineData("00:00:59", null, false)]
    [InlineData("00:01:00", null, true)]
    [InlineData("00:00:01", "00:00:01", true)] // tests lower Orleans' minimum, and may then audit every second
    public void The_audit_period_must_be_one_Orleans_accepts_for_a_reminder(string auditPeriod, string? minimumReminderPeriod, bool accepted)
    {
        using var services = GrainServicesWith.Setting(("Ordering:AuditPeriod", auditPeriod), minimumReminderPeriod);

        if (accepted) Assert.Equal(TimeSpan.Parse(auditPeriod), services.GetRequiredService<IOptions<OrderingOptions>>().Value.AuditPeriod);
        else Assert.Contains("Ordering:AuditPeriod", Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<OrderingOptions>>().Value).Message);
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
