namespace ChannelGrains.Ordering;

/// <summary>
/// The recovery of interrupted order sagas, run by every grain that holds something for orders: while it has
/// holdings not yet seen to stand, a reminder asks their orders, once they are older than a running saga could be.
/// </summary>
public static class HoldingsAudit
{
    private const string Reminder = "audit-order-holdings";

    /// <summary>Call when the first unsettled holding appears.</summary>
    public static Task ScheduleAsync(Grain holder, OrderingOptions options) =>
        holder.RegisterOrUpdateReminder(Reminder, options.AuditPeriod, options.AuditPeriod);

    public static async Task RunAsync(Grain holder, IGrainFactory grains, IReadOnlyCollection<(string OrderId, DateTime At)> unsettled, DateTime now, OrderingOptions options)
    {
        if (unsettled.Count == 0)
        {
            if (await holder.GetReminder(Reminder) is { } reminder) await holder.UnregisterReminder(reminder);
            return;
        }
        var stale = unsettled.Where(h => h.At <= now - options.AuditReservationsAfter).Select(h => h.OrderId).ToArray();
        if (stale.Length > 0) await grains.GetGrain<IReservationAuditorGrain>(0).AuditAsync(holder.GetGrainId(), stale);
    }
}
