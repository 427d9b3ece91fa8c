using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace ChannelGrains.Ordering;

/// <summary>Asks the orders behind a product's stale reservations whether they stand, off the product's own turn.</summary>
[Alias("ChannelGrains.IReservationAuditorGrain")]
public interface IReservationAuditorGrain : IGrainWithIntegerKey
{
    [OneWay, Alias("Audit")] Task AuditAsync(string productKey, IReadOnlyList<string> orderIds);
}

[StatelessWorker]
public sealed class ReservationAuditorGrain(ILogger<ReservationAuditorGrain> logger) : Grain, IReservationAuditorGrain
{
    public async Task AuditAsync(string productKey, IReadOnlyList<string> orderIds)
    {
        var tenant = Keys.Split(productKey).Tenant;
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
                logger.LogWarning(exception, "Auditing order {Order} of {Product} failed; the next audit retries", orderId, productKey);
            }
        }
        await GrainFactory.GetGrain<Catalog.IProductGrain>(productKey).ApplyAuditAsync(keep, release);
    }
}
