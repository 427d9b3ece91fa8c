namespace ChannelGrains.Ordering;

/// <summary>
/// The recovery of interrupted order sagas, run by every grain that holds something for orders: while it has
/// holdings not yet seen to stand, a reminder asks their orders, once they are older than a running saga could be.
/// A product keeps it while it holds anything, and asks about the holdings seen to stand once a day too (a shipment
/// stopped midway is finished so: see <see cref="IOrderGrain.HoldsReservationsAsync"/>).
/// </summary>
public sealed class HoldingsAudit
{
    private const string Reminder = "audit-order-holdings";

    /// <summary>Whether this activation registered the reminder and has not unregistered it since.</summary>
    private bool scheduled;

    /// <summary>
    /// Call whenever an unsettled holding is added. Registers the reminder unless this activation already has:
    /// registering is a write to the reminder table, which for a dealer whose open orders come and go was one more
    /// write per order (a quarter of the in-process mix's throughput).
    /// </summary>
    public async Task ScheduleAsync(Grain holder, OrderingOptions options)
    {
        if (scheduled) return;
        await holder.RegisterOrUpdateReminder(Reminder, Jitter.Spread(options.AuditPeriod), options.AuditPeriod);
        scheduled = true;
    }

    /// <summary>
    /// When a holding for an order that holds it already is taken again (its saga retried): later than it was, so that an
    /// audit that asked the order before the retry does not release it (see <see cref="IOrderHoldings.ApplyAuditAsync"/>).
    /// </summary>
    public static DateTime TakenAgainAt(DateTime before, DateTime now) => now > before ? now : before.AddTicks(1);

    /// <summary>
    /// Asks the orders of the <paramref name="unsettled"/> holdings older than a running saga could be, and, if given,
    /// those of the <paramref name="settled"/> ones once every <see cref="OrderingOptions.RecheckHeldEvery"/> of their age.
    /// The reminder goes when there is nothing left to ask about.
    /// </summary>
    public async Task RunAsync(Grain holder, IGrainFactory grains, IReadOnlyCollection<(string OrderId, DateTime At)> unsettled, DateTime now, OrderingOptions options,
        IReadOnlyCollection<(string OrderId, DateTime At)>? settled = null)
    {
        if (unsettled.Count == 0 && (settled is null || settled.Count == 0))
        {
            if (await holder.GetReminder(Reminder) is { } reminder) await holder.UnregisterReminder(reminder);
            scheduled = false;
            return;
        }
        var asked = unsettled.Where(h => h.At <= now - options.AuditReservationsAfter)
            .Concat((settled ?? []).Where(h => IsDueForRecheck(now - h.At, options)))
            .Select(h => new AuditedHolding(h.OrderId, h.At)).ToArray();
        if (asked.Length > 0) await grains.GetGrain<IReservationAuditorGrain>(0).AuditAsync(holder.GetGrainId(), asked);
    }

    /// <summary>
    /// Whether a settled holding of this age is asked about at this audit: at the first audit after each whole
    /// <see cref="OrderingOptions.RecheckHeldEvery"/> of its age, so once per period without recording when it was asked.
    /// </summary>
    public static bool IsDueForRecheck(TimeSpan age, OrderingOptions options) =>
        age >= options.RecheckHeldEvery && age.Ticks % options.RecheckHeldEvery.Ticks < options.AuditPeriod.Ticks;
}
