using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace ChannelGrains.Ordering;

/// <summary>A grain that holds something for orders (a product its stock, a dealer its credit) and audits it.</summary>
[Alias("ChannelGrains.IOrderHoldings")]
public interface IOrderHoldings : IGrainWithStringKey
{
    /// <summary>The outcome of an audit: holdings to keep (their orders stand) and to release (their orders do not).</summary>
    [Alias("ApplyAudit")] Task ApplyAuditAsync(IReadOnlyList<string> keep, IReadOnlyList<string> release);
}

/// <summary>Asks the orders behind a holder's stale holdings whether they stand, off the holder's own turn.</summary>
[Alias("ChannelGrains.IReservationAuditorGrain")]
public interface IReservationAuditorGrain : IGrainWithIntegerKey
{
    [OneWay, Alias("Audit")] Task AuditAsync(GrainId holder, IReadOnlyList<string> orderIds);
}

[StatelessWorker]
public sealed class ReservationAuditorGrain(ILogger<ReservationAuditorGrain> logger) : Grain, IReservationAuditorGrain
{
    public async Task AuditAsync(GrainId holder, IReadOnlyList<string> orderIds)
    {
        var tenant = Keys.Split(holder.Key.ToString()!).Tenant;
        var keep = new List<string>();
        var release = new List<string>();
        foreach (var orderId in orderIds)
        {
            try
            {
                (await GrainFactory.GetGrain<IOrderGrain>(Keys.Of(tenant, orderId)).HoldsReservationsAsync() ? keep : release).Add(orderId);
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Auditing order {Order} held by {Holder} failed; the next audit retries", orderId, holder);
            }
        }
        await GrainFactory.GetGrain<IOrderHoldings>(holder).ApplyAuditAsync(keep, release);
    }
}
