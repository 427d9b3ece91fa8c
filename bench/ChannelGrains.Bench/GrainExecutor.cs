using ChannelGrains.Analytics;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Fields;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;

namespace ChannelGrains.Bench;

/// <summary>
/// The mix as direct grain calls, the ones the resolvers end in (no HTTP, no GraphQL, no token, no access checks):
/// what is left is the cost of the grains themselves. A refusal (<see cref="ChannelException"/>) becomes a
/// <see cref="MixFailure"/> with its code.
/// </summary>
public sealed class GrainExecutor(IGrainFactory grains, string tenant) : IMixExecutor
{
    private readonly DealerRegistry registry = new(grains);

    public async Task SeedAsync(MixData data)
    {
        await Parallel.ForEachAsync(data.Products, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (product, _) =>
        {
            var grain = grains.GetGrain<IProductGrain>(Keys.Of(tenant, product.Sku));
            await grain.UpsertAsync(product);
            await grain.AdjustStockAsync(1_000_000_000, "bench stock");
        });
        foreach (var batch in data.Dealers.Chunk(Bulk.MaxBatch))
            Check(await registry.UpsertAsync(tenant, batch));
        await Parallel.ForEachAsync(data.Stores, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (store, _) =>
            await grains.GetGrain<IStoreGrain>(Keys.Of(tenant, store.Id)).UpsertAsync(store));
    }

    public Task PlaceOrderAsync(PlaceOrder order) =>
        Refusals(() => grains.GetGrain<IOrderGrain>(Keys.Of(tenant, order.RequestId)).PlaceAsync(OrderRules.Validated(order)));

    public Task ShipOrderAsync(string orderId) => Refusals(() => grains.GetGrain<IOrderGrain>(Keys.Of(tenant, orderId)).ShipAsync());

    public Task ReceiveOrderAsync(string orderId) => Refusals(() => grains.GetGrain<IOrderGrain>(Keys.Of(tenant, orderId)).ReceiveAsync());

    public Task ReportSellOutAsync(SellOutReport report) =>
        Refusals(() => grains.GetGrain<IDealerGrain>(Keys.Of(tenant, report.DealerId)).ReportSellOutAsync(DealerLedger.ValidatedSellOut(report)));

    public Task UpsertDealerAsync(DealerInfo dealer) => Refusals(async () => Check(await registry.UpsertAsync(tenant, [DealerRules.Validated(dealer)])));

    public Task SetQuotaAsync(string dealerId, string month, decimal target) =>
        Refusals(() => grains.GetGrain<IDealerGrain>(Keys.Of(tenant, dealerId)).SetQuotaAsync(month, target));

    public Task ChannelSummaryAsync(string region, string month) =>
        Refusals(() => grains.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(tenant, Period.Parse(month), region)).GetSummaryAsync());

    /// <summary>What the topDealers resolver asks: the region's aggregate, which keeps the list it merged from its shards.</summary>
    public Task TopDealersAsync(string region, string month, int first) =>
        Refusals(() => grains.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(tenant, Period.Parse(month), region)).GetTopDealersAsync(first));

    private static T Check<T>(IReadOnlyList<UpsertOutcome<T>> outcomes)
    {
        var refused = outcomes.FirstOrDefault(o => o.Error is not null);
        if (refused is not null) throw new MixFailure(refused.Error!.Code, refused.Error.Message);
        return outcomes[0].Value!;
    }

    private static async Task Refusals<T>(Func<Task<T>> call)
    {
        try
        {
            await call();
        }
        catch (ChannelException refused)
        {
            throw new MixFailure(refused.Code, refused.Message);
        }
    }
}
