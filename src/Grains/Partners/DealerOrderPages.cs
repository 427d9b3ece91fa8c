using Microsoft.Extensions.Logging;

namespace ChannelGrains.Partners;

/// <summary>
/// A dealer's order list (the source of <c>dealer.orders</c>), oldest first, in pages of <see cref="PageSize"/>. The
/// dealer keeps only its newest page in its state; when a new order finds that page full, it is sealed into its own
/// grain, written once. Before, the dealer's state carried every order it ever had, so every write of the dealer (each order,
/// shipment, receipt and sell-out) serialised and stored its whole history again.
/// </summary>
public static class DealerOrderPages
{
    public const int PageSize = 256;

    /// <summary>The page grain's key: the dealer's key, then <c>/orders/N</c> (ids never contain '/').</summary>
    public static string Key(string dealerKey, int page) => $"{dealerKey}/orders/{page}";

    /// <summary>
    /// Where the order is in <paramref name="orders"/>, or -1. Searched from the newest, which a retried order or a
    /// next page usually names; a new order (most calls) is looked for in the whole page, so the loop is kept plain.
    /// </summary>
    public static int IndexOf(IReadOnlyList<OrderRef> orders, string orderId)
    {
        for (var i = orders.Count - 1; i >= 0; i--)
            if (string.Equals(orders[i].Id, orderId, StringComparison.Ordinal)) return i;
        return -1;
    }
}

public interface IDealerOrderPageGrain : IGrainWithStringKey
{
    /// <summary>Stores the page; storing it again with the same orders changes nothing.</summary>
    [Alias("Seal")] Task SealAsync(IReadOnlyList<OrderRef> orders);

    [Alias("Get")] Task<IReadOnlyList<OrderRef>> GetAsync();
}

[GenerateSerializer, Alias("ChannelGrains.DealerOrderPageState")]
public sealed class DealerOrderPageState
{
    [Id(0)] public List<OrderRef> Orders { get; set; } = [];
}

public sealed class DealerOrderPageGrain(
    [PersistentState("orders", StorageNames.Channel)] IPersistentState<DealerOrderPageState> state,
    ILogger<DealerOrderPageGrain> logger) : Grain, IDealerOrderPageGrain
{
    public async Task SealAsync(IReadOnlyList<OrderRef> orders)
    {
        // Sealed again after the dealer died between sealing and saving: it seals what it sealed before.
        if (state.State.Orders.SequenceEqual(orders)) return;
        // Other orders would mean the dealer's state lost a write it had acknowledged; the dealer's list is what is
        // listed from now on, so it is stored, and the ones replaced are logged.
        if (state.State.Orders.Count > 0)
            logger.LogError("Order page {Page} sealed again with other orders; it held {Orders}", this.GetPrimaryKeyString(),
                string.Join(", ", state.State.Orders.Select(o => o.Id)));
        state.State.Orders = [.. orders];
        await state.PersistAsync(this);
    }

    public Task<IReadOnlyList<OrderRef>> GetAsync() => Task.FromResult<IReadOnlyList<OrderRef>>(state.State.Orders);
}
