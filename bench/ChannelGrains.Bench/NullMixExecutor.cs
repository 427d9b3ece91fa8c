using ChannelGrains.Ordering;
using ChannelGrains.Partners;

namespace ChannelGrains.Bench;

/// <summary>
/// Does nothing, at once: the mix against it costs only the driver's own work (drawing steps, building requests,
/// moving orders between queues, recording latencies), which <c>ceiling</c> takes out of the process's CPU.
/// </summary>
public sealed class NullMixExecutor : IMixExecutor
{
    public Task SeedAsync(MixData data) => Task.CompletedTask;

    public Task PlaceOrderAsync(PlaceOrder order) => Task.CompletedTask;

    public Task ShipOrderAsync(string orderId) => Task.CompletedTask;

    public Task ReceiveOrderAsync(string orderId) => Task.CompletedTask;

    public Task ReportSellOutAsync(SellOutReport report) => Task.CompletedTask;

    public Task UpsertDealerAsync(DealerInfo dealer) => Task.CompletedTask;

    public Task SetQuotaAsync(string dealerId, string month, decimal target) => Task.CompletedTask;

    public Task ChannelSummaryAsync(string region, string month) => Task.CompletedTask;

    public Task TopDealersAsync(string region, string month, int first) => Task.CompletedTask;
}
