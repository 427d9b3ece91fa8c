namespace ChannelGrains.Ordering;

/// <summary>Timings of the order saga's crash recovery; bound from the <c>Ordering</c> configuration section.</summary>
public sealed class OrderingOptions
{
    public const string Section = "Ordering";

    /// <summary>A reservation still unconfirmed after this long is checked with its order (its saga may have died).</summary>
    public TimeSpan AuditReservationsAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a product with unconfirmed reservations audits them (an Orleans reminder period).</summary>
    public TimeSpan AuditPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
