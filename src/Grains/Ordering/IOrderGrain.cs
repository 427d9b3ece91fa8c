namespace ChannelGrains.Ordering;

/// <summary>
/// One order (key <c>tenant/requestId</c>): the requestId is the order id, so a retried placeOrder reaches the same
/// grain and gets the first result. The grain runs the saga that reserves credit and stock across grains.
/// </summary>
[Alias("ChannelGrains.IOrderGrain")]
public interface IOrderGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<OrderView?> GetAsync();

    [Alias("Place")] Task<OrderView> PlaceAsync(PlaceOrder order);

    /// <summary>
    /// The final decision of the order's approval; applying it again changes nothing. Answers whether an approval's
    /// outcome decided the order, now or before: not when the order was cancelled while it waited.
    /// </summary>
    [Alias("ApplyApproval")] Task<bool> ApplyApprovalAsync(bool approved);

    [Alias("Cancel")] Task<OrderView> CancelAsync();

    [Alias("Ship")] Task<OrderView> ShipAsync();

    [Alias("Receive")] Task<OrderView> ReceiveAsync();

    /// <summary>
    /// Whether this order still holds stock and credit (it stands and is not yet received); an interrupted saga is
    /// compensated first, and a shipment stopped midway finished first.
    /// </summary>
    [Alias("HoldsReservations")] Task<bool> HoldsReservationsAsync();
}
