using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace ChannelGrains.Ordering;

/// <summary>
/// An order's holding as its holder's audit saw it: <see cref="At"/> is when it was taken or last taken again, so a
/// holding that a retry of its order took again after the audit asked the order is not the one audited.
/// </summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.AuditedHolding")]
public sealed record class AuditedHolding([property: Id(0)] string OrderId, [property: Id(1)] DateTime At);

/// <summary>A grain that holds something for orders (a product its stock, a dealer its credit) and audits it.</summary>
[Alias("ChannelGrains.IOrderHoldings")]
public interface IOrderHoldings : IGrainWithStringKey
{
    /// <summary>
    /// The outcome of an audit: holdings to keep (their orders stand) and to release (their orders did not when asked).
    /// A holding to release is released only if it is still the one audited: between the question and this call, the
    /// order's client may have retried it, and the retry, placing the order, took the holding again.
    /// </summary>
    [Alias("ApplyAuditOf")] Task ApplyAuditAsync(IReadOnlyList<string> keep, IReadOnlyList<AuditedHolding> release);
}

/// <summary>Asks the orders behind a holder's stale holdings whether they stand, off the holder's own turn.</summary>
[Alias("ChannelGrains.IReservationAuditorGrain")]
public interface IReservationAuditorGrain : IGrainWithIntegerKey
{
    [OneWay, Alias("AuditHoldings")] Task AuditAsync(GrainId holder, IReadOnlyList<AuditedHolding> holdings);
}

[StatelessWorker]
public sealed class ReservationAuditorGrain(ILogger<ReservationAuditorGrain> logger) : Grain, IReservationAuditorGrain
{
    public async Task AuditAsync(GrainId holder, IReadOnlyList<AuditedHolding> holdings)
    {
        var tenant = Keys.Split(holder.Key.ToString()!).Tenant;
        var keep = new List<string>();
        var release = new List<AuditedHolding>();
        foreach (var holding in holdings)
        {
            try
            {
                if (await GrainFactory.GetGrain<IOrderGrain>(Keys.Of(tenant, holding.OrderId)).HoldsReservationsAsync()) keep.Add(holding.OrderId);
                else release.Add(holding);
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Auditing order {Order} held by {Holder} failed; the next audit retries", holding.OrderId, holder);
            }
        }
        await GrainFactory.GetGrain<IOrderHoldings>(holder).ApplyAuditAsync(keep, release);
    }
}
