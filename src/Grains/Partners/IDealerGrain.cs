namespace ChannelGrains.Partners;

/// <summary>Orders of a dealer, oldest first; the first one is at <see cref="FirstPosition"/> (0 for the dealer's first order).</summary>
[GenerateSerializer, Alias("ChannelGrains.OrderRefPage")]
public sealed record class OrderRefPage([property: Id(0)] IReadOnlyList<OrderRef> Orders, [property: Id(1)] bool HasNextPage, [property: Id(2)] long FirstPosition);

/// <summary>One dealer of one tenant (key <c>tenant/dealerId</c>): profile, admission, credit, dealer stock and quotas.</summary>
[Alias("ChannelGrains.IDealerGrain")]
public interface IDealerGrain : Ordering.IOrderHoldings
{
    [Alias("Get")] Task<DealerView?> GetAsync();

    /// <summary>The dealer's region, or null if it does not exist: what an access check needs, without building the view.</summary>
    [Alias("GetRegion")] Task<string?> GetRegionAsync();

    [Alias("Upsert")] Task<DealerView> UpsertAsync(DealerInfo info);

    /// <summary>Takes credit for an order (rules 3 and 6); taking it again for the same order sets what it holds.</summary>
    [Alias("OpenOrder")] Task OpenOrderAsync(string orderId, IReadOnlyList<Ordering.OrderLine> lines, DateTime placedAt, bool confirmed);

    /// <summary>
    /// An order waiting for approval was approved: it now counts as sell-in. False, and nothing confirmed, when the
    /// dealer is no longer ADMITTED (rule 6), or holds nothing for the order any more (an earlier application found it
    /// not admitted and released the order, then stopped before the order was stored REJECTED): the order is then rejected.
    /// </summary>
    [Alias("ConfirmOrderIfAdmitted")] Task<bool> ConfirmOrderAsync(string orderId);

    /// <summary>An order was cancelled, rejected or abandoned: its credit is released and it no longer counts.</summary>
    [Alias("CloseOrder")] Task CloseOrderAsync(string orderId);

    [Alias("OrderShipped")] Task OrderShippedAsync(string orderId, IReadOnlyList<SkuQuantity> lines);

    [Alias("OrderReceived")] Task OrderReceivedAsync(string orderId);

    /// <summary>Whether the dealer holds the order as open (placed and not yet received, closed or released).</summary>
    [Alias("HoldsOrder")] Task<bool> HoldsOrderAsync(string orderId);

    [Alias("ReportSellOut")] Task<DealerView> ReportSellOutAsync(SellOutReport report);

    [Alias("SetQuota")] Task<QuotaProgress> SetQuotaAsync(string month, decimal target);

    /// <summary>Publishes the dealer's contributions for these months again (rule 17's heal; see <see cref="DealerHeal"/>).</summary>
    [Alias("Republish")] Task RepublishAsync(string[] months);

    /// <summary>
    /// Imports finished months from a legacy system (replacing what the dealer holds for them) and, while its stock has
    /// never moved live, an opening stock on hand. The months are persisted, then published to the live aggregates.
    /// </summary>
    [Alias("ImportHistory")] Task<DealerView> ImportHistoryAsync(DealerHistoryImport import);

    [Alias("GetQuota")] Task<QuotaProgress> GetQuotaAsync(string period);

    /// <summary>
    /// Up to <paramref name="first"/> orders after the order <paramref name="afterId"/> (from the first when null).
    /// <paramref name="afterPosition"/>, that order's position as a page gave it, saves looking for it in older pages.
    /// </summary>
    [Alias("ListOrdersAfter")] Task<OrderRefPage> ListOrdersAsync(string? afterId, long? afterPosition, int first);

    /// <summary>The call an Api of the previous version makes, kept so that silos can be upgraded before the Api.</summary>
    [Alias("ListOrders")] Task<OrderRefPage> ListOrdersAsync(string? afterId, int first);

    /// <summary>The <paramref name="last"/> newest orders, oldest of them first.</summary>
    [Alias("ListLatestOrders")] Task<OrderRefPage> ListLatestOrdersAsync(int last);

    /// <summary>Records a special price waiting for its approval; recording it again changes nothing.</summary>
    [Alias("RequestSpecialPrice")] Task RequestSpecialPriceAsync(string approvalId, SpecialPrice price);

    [Alias("DecideSpecialPrice")] Task DecideSpecialPriceAsync(string approvalId, bool approved);

    /// <summary>Forgets a special price still waiting whose approval another request opened: nothing would ever decide it.</summary>
    [Alias("DropSpecialPriceRequest")] Task DropSpecialPriceRequestAsync(string approvalId);

    /// <summary>The lowest approved special price covering this SKU at this time, if any.</summary>
    [Alias("GetSpecialPrice")] Task<decimal?> GetSpecialPriceAsync(string sku, DateTime at);

    /// <summary>An admission approval was decided: a PENDING dealer becomes ADMITTED when approved.</summary>
    [Alias("DecideAdmission")] Task DecideAdmissionAsync(bool approved);
}
