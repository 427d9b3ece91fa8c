using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Fields;
using ChannelGrains.Partners;

namespace ChannelGrains.Api.Demo;

/// <summary>
/// Loads the demo channel through the grains, as an integrator's bulk upserts and a migration from a legacy system
/// would: master data, a year of history per dealer with opening stock, this month's quotas, then a few thousand real
/// orders, shipments, receipts and sell-out reports so the current month is alive from the start.
/// </summary>
public sealed class DemoSeeder(IGrainFactory grains, DemoOptions options, DemoChannel channel, DemoOperations operations, TimeProvider clock)
{
    /// <summary>Sell-out requests go to the dealer grain; order ids must not collide with live traffic's.</summary>
    public const string MonthToDatePrefix = "demo-mtd-";

    /// <summary>Units of each SKU the manufacturer holds: enough for the month so far and days of live traffic.</summary>
    public const int ManufacturerStock = 100_000_000;

    public async Task SeedAsync(ConsoleProgress progress, CancellationToken cancellationToken)
    {
        var tenant = options.Tenant;
        var now = clock.GetUtcNow().UtcDateTime;
        var currentMonth = Period.MonthOf(now);
        // This month so far, spread over the dealers that order or sell in it: the current month keeps up with the past ones.
        var monthSoFar = (now.Day - 1 + now.TimeOfDay.TotalDays) / DateTime.DaysInMonth(now.Year, now.Month);
        var orders = Math.Min(options.MonthToDateOrders, channel.Admitted.Count * 4);
        progress.Start(channel.Products.Count + channel.Dealers.Count * 2 + channel.Stores.Count + channel.Reps.Count + channel.Agents.Count
            + orders + options.MonthToDateSellOuts);

        progress.Stage("products");
        await ForEachAsync(channel.Products, progress, cancellationToken, async product =>
        {
            var grain = grains.GetGrain<IProductGrain>(Keys.Of(tenant, product.Sku));
            if ((await grain.UpsertAsync(product)).OnHand == 0) await grain.AdjustStockAsync(ManufacturerStock, "demo: opening manufacturer stock");
        });

        progress.Stage("dealers");
        var registry = new DealerRegistry(grains);
        foreach (var batch in channel.Dealers.Select(d => d.Info).Chunk(Bulk.MaxBatch))
        {
            await registry.UpsertAsync(tenant, batch);
            progress.Advance(batch.Length);
        }

        progress.Stage("stores, reps, agents");
        await UpsertProfilesAsync<StoreInfo, IStoreGrain>(channel.Stores, progress);
        await UpsertProfilesAsync<PartnerInfo, IRepGrain>(channel.Reps, progress);
        await UpsertProfilesAsync<PartnerInfo, IAgentGrain>(channel.Agents, progress);

        progress.Stage("a year of history");
        await ForEachAsync(channel.Dealers, progress, cancellationToken, async dealer =>
        {
            var grain = grains.GetGrain<IDealerGrain>(Keys.Of(tenant, dealer.Info.Id));
            await grain.ImportHistoryAsync(channel.History(dealer, currentMonth));
            await grain.SetQuotaAsync(currentMonth.ToString(), DemoChannel.QuotaTarget(dealer, currentMonth, back: 0));
        });

        progress.Stage("this month's orders");
        await ForEachAsync(Enumerable.Range(0, orders).ToArray(), progress, cancellationToken, async i =>
        {
            var random = new Random(i);
            var dealer = channel.Admitted[i % channel.Admitted.Count];
            var id = $"{MonthToDatePrefix}{i:D5}";
            var value = Math.Min(dealer.MonthlyValue * (decimal)(monthSoFar * channel.Admitted.Count / orders), dealer.Info.CreditLimit / 2);
            await operations.PlaceAsync(dealer, id, random, value);
            if (random.NextDouble() < 0.75) await operations.ShipAsync(id);
            else return;
            if (random.NextDouble() < 0.8) await operations.ReceiveAsync(id);
        });

        progress.Stage("this month's sell-out");
        await ForEachAsync(Enumerable.Range(0, options.MonthToDateSellOuts).ToArray(), progress, cancellationToken, async i =>
        {
            var random = new Random(-i - 1);
            var share = Math.Min(0.9, monthSoFar * channel.Admitted.Count / options.MonthToDateSellOuts) * (0.8 + 0.2 * random.NextDouble());
            await operations.SellOutAsync(channel.Admitted[random.Next(channel.Admitted.Count)], $"{MonthToDatePrefix}so-{i:D5}", random, share);
        });
    }

    private async Task UpsertProfilesAsync<TInfo, TGrain>(IReadOnlyList<TInfo> records, ConsoleProgress progress)
        where TInfo : class, IProfile<TInfo>
        where TGrain : IProfileGrain<TInfo>, IGrainWithStringKey
    {
        foreach (var batch in records.Chunk(Bulk.MaxBatch))
        {
            await Bulk.UpsertAsync(batch, r => r.Validated(), r => r.Id, r => grains.GetGrain<TGrain>(Keys.Of(options.Tenant, r.Id)).UpsertAsync(r));
            progress.Advance(batch.Length);
        }
    }

    /// <summary>
    /// Runs the calls with at most <see cref="DemoOptions.Parallelism"/> in flight. A refusal by a business rule (credit, stock)
    /// is part of a realistic channel and skipped. Every call of the seed is idempotent (upserts, imports that replace,
    /// orders and sell-out by request id), so one that timed out on a busy silo is simply made again.
    /// </summary>
    private Task ForEachAsync<T>(IReadOnlyList<T> items, ConsoleProgress progress, CancellationToken cancellationToken, Func<T, Task> call) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken }, async (item, _) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await call(item);
                    break;
                }
                catch (ChannelException refused) when (refused.Code != ErrorCodes.Validation)
                {
                    break;
                }
                catch (TimeoutException) when (attempt < MaxAttempts)
                {
                }
            }
            progress.Advance();
        });

    private const int MaxAttempts = 3;
}
