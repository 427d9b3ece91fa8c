namespace ChannelGrains.Ordering;

/// <summary>Timings of the order saga's crash recovery, and how many closed months a dealer holds; bound from the <c>Ordering</c> configuration section.</summary>
public sealed class OrderingOptions
{
    public const string Section = "Ordering";

    /// <summary>A reservation still unconfirmed after this long is checked with its order (its saga may have died).</summary>
    public TimeSpan AuditReservationsAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a holder (a product, a dealer) audits what it holds for orders (an Orleans reminder period).</summary>
    public TimeSpan AuditPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A product asks again about a confirmed reservation once in this long: one whose order was stored SHIPPED by a
    /// shipment that stopped before its products let the units go (a silo died) is finished so, without a call to the order.
    /// </summary>
    public TimeSpan RecheckHeldEvery { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Closed months a dealer holds in its state besides the current one (late sell-out and cancelled orders of the last
    /// quarter find their month there); older ones move to its month archive (<see cref="Partners.DealerMonthArchive"/>).
    /// </summary>
    public int ClosedMonthsHeld { get; set; } = 3;
}
