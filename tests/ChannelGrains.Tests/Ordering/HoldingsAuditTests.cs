using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Ordering;

/// <summary>
/// Rule 2's recovery: a holding whose order never persisted an outcome is released by the holder's audit reminder.
/// A holder registers that reminder once, and again only after an empty audit unregistered it.
/// </summary>
public sealed class HoldingsAuditTests
{
    /// <summary>A confirmed holding is asked about at the first audit after each whole day of its age, not at every audit.</summary>
    [Theory]
    [InlineData("0.00:00:30", false)]
    [InlineData("0.23:59:59", false)]
    [InlineData("1.00:00:00", true)]
    [InlineData("1.00:00:59", true)]
    [InlineData("1.00:01:00", false)]
    [InlineData("1.12:00:00", false)]
    [InlineData("2.00:00:10", true)]
    public void A_settled_holding_is_rechecked_once_a_day(string age, bool due)
    {
        var options = new ChannelGrains.Ordering.OrderingOptions { AuditPeriod = TimeSpan.FromMinutes(1), RecheckHeldEvery = TimeSpan.FromDays(1) };

        Assert.Equal(due, ChannelGrains.Ordering.HoldingsAudit.IsDueForRecheck(TimeSpan.Parse(age, System.Globalization.CultureInfo.InvariantCulture), options));
    }

    [Fact]
    public async Task A_holding_after_an_empty_audit_is_audited_again()
    {
        await using var cluster = await ShortRemindersSilo.StartAsync(("Ordering:AuditReservationsAfter", "00:00:01"), ("Ordering:AuditPeriod", "00:00:01"));
        var product = cluster.Client.GetGrain<IProductGrain>(Keys.Of(TestTenant.New(), "P1"));
        await product.UpsertAsync(new ProductInfo("P1", "P1", 10m, 5m));
        await product.AdjustStockAsync(100, "received");

        // Orders that never ran: nothing stands behind these reservations.
        Assert.True(await product.ReserveAsync("never-placed-1", 5, new ProductPrice(10m, 5m)));
        await Eventually.TrueAsync(async () => (await product.GetAsync())!.Reserved == 0, TimeSpan.FromSeconds(20), ReservedAsync);
        await Task.Delay(TimeSpan.FromSeconds(3)); // an audit with nothing to audit unregisters the reminder
        Assert.True(await product.ReserveAsync("never-placed-2", 7, new ProductPrice(10m, 5m)));

        Assert.Equal(7, (await product.GetAsync())!.Reserved);
        await Eventually.TrueAsync(async () => (await product.GetAsync())!.Reserved == 0, TimeSpan.FromSeconds(20), ReservedAsync);

        async Task<string> ReservedAsync() => $"reserved {(await product.GetAsync())!.Reserved}";
    }
}
