using System.Diagnostics;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace ChannelGrains.Bench;

/// <summary>
/// Dealers that report sell-out for months on end: does a dealer's write get dearer as its history grows? Each dealer
/// sends its reports one after another, dated month by month in the past (a backfill, or two years of a busy
/// integrator), the dealers side by side; then each changes its quota again and again (a plain write of the dealer).
/// Prints the reports per second of each block of months, the quota writes per second after the history, and the
/// size of one dealer's stored state. In memory, or durable with <c>--durable</c> or <c>ConnectionStrings__Channel</c>.
/// </summary>
/// <remarks>
/// A closed month moves out of the dealer's state once it is no longer due in the heal (two heal periods after its
/// last change; 5 minutes each by default). The run sets the heal period to <c>--heal-seconds</c> (1 s by default),
/// and lets the dealers settle before the quota writes (a write, and three heal periods before and after it), so that
/// those see the dealer as it is long after its history was written: its state holds the current month and the closed
/// months of the last three (none here: the history ends two years ago), its month archive the rest.
/// <c>--closed-months-held 1000</c> keeps every month in the state (as before months were archived).
/// </remarks>
public static class SellOutHistoryBenchmark
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        await ThrowawayPostgres.RunAsync(options, "history", connectionString => RunAsync(options, connectionString));
        return 0;
    }

    private static async Task RunAsync(BenchOptions options, string? connectionString)
    {
        var dealers = options.Int("history-dealers", 16);
        var months = options.Int("months", options.Quick ? 6 : 24);
        var perMonth = options.Int("reports", options.Quick ? 60 : 120);
        // Each report sells 3 of the dealer's SKUs, in turn, so that every SKU sells every month and week.
        var skus = Enumerable.Range(1, options.Int("history-skus", 20)).Select(i => $"P{i}").ToArray();
        var linesPerReport = Math.Min(3, skus.Length);
        const int block = 6, quotaWrites = 200;
        var healPeriod = TimeSpan.FromSeconds(options.Int("heal-seconds", 1));
        var held = options.Int("closed-months-held", new Ordering.OrderingOptions().ClosedMonthsHeld);
        await using var silo = await InProcessSilo.StartAsync(connectionString, new Dictionary<string, string>
        {
            ["Analytics:DealerHealPeriod"] = healPeriod.ToString(),
            ["Ordering:ClosedMonthsHeld"] = held.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var grains = silo.Grains;
        var tenant = "history" + Environment.ProcessId;
        var ids = Enumerable.Range(0, dealers).Select(i => $"D{i:000}").ToArray();
        await new DealerRegistry(grains).UpsertAsync(tenant, ids.Select(d => new DealerInfo(d, d, "CN/East", DealerTier.Value, DealerStatus.Admitted, 1_000_000m, skus)).ToArray());
        await Task.WhenAll(ids.Select(d => grains.GetGrain<IDealerGrain>(Keys.Of(tenant, d)).ImportHistoryAsync(
            new DealerHistoryImport([], [.. skus.Select(sku => new SkuQuantity(sku, 100_000_000))]))));

        var start = new DateTime(DateTime.UtcNow.Year - 3, 1, 1, 9, 0, 0, DateTimeKind.Utc);
        Console.WriteLine($"sell-out history, {(connectionString is null ? "in memory" : "durable (PostgreSQL)")}: {dealers} dealers side by side, {months} months x {perMonth} reports each "
            + $"of {linesPerReport} of {skus.Length} SKUs, dated from {start:yyyy-MM}; closed months held {held}, heal period {healPeriod.TotalSeconds:N0} s");
        for (var first = 0; first < months; first += block)
        {
            var last = Math.Min(months, first + block);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(ids.Select(async d =>
            {
                var dealer = grains.GetGrain<IDealerGrain>(Keys.Of(tenant, d));
                for (var m = first; m < last; m++)
                    for (var r = 0; r < perMonth; r++)
                        await dealer.ReportSellOutAsync(new SellOutReport($"{d}-{m}-{r}", d, start.AddMonths(m).AddMinutes(r * (28 * 24 * 60 / perMonth)),
                            [.. Enumerable.Range(0, linesPerReport).Select(i => new SellOutLine(skus[(r * linesPerReport + i) % skus.Length], 1, 15m, null))]));
            }));
            var reports = (long)dealers * (last - first) * perMonth;
            Console.WriteLine($"  months {first + 1,2}-{last,2}: {reports / clock.Elapsed.TotalSeconds,8:N0} reports/s");
        }
        // Long after the history: a write that archives what is left, then the heal's re-publishing of it, not measured.
        var month = Period.MonthOf(DateTime.UtcNow).ToString();
        await Task.Delay(3 * healPeriod);
        await Task.WhenAll(ids.Select(d => grains.GetGrain<IDealerGrain>(Keys.Of(tenant, d)).SetQuotaAsync(month, 0.5m)));
        await Task.Delay(3 * healPeriod);
        var quotas = Stopwatch.StartNew();
        await Task.WhenAll(ids.Select(async d =>
        {
            var dealer = grains.GetGrain<IDealerGrain>(Keys.Of(tenant, d));
            for (var q = 1; q <= quotaWrites; q++) await dealer.SetQuotaAsync(month, q);
        }));
        Console.WriteLine($"  then setQuota (one dealer write each): {dealers * quotaWrites / quotas.Elapsed.TotalSeconds,8:N0} writes/s");

        var stored = new GrainState<DealerState>();
        await silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel)
            .ReadStateAsync("dealer", grains.GetGrain<IDealerGrain>(Keys.Of(tenant, ids[0])).GetGrainId(), stored);
        var bytes = silo.Services.GetRequiredService<Serializer<DealerState>>().SerializeToArray(stored.State!).Length;
        Console.WriteLine($"  one dealer's stored state after {months * perMonth:N0} reports: {bytes:N0} bytes (Orleans binary serializer), "
            + $"{stored.State!.Months.Count} months held, {stored.State.ArchivedMonths?.Count ?? 0} in its month archive");
    }
}
