using ChannelGrains.Analytics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Partners;

/// <summary>
/// Rule 17's heal for dealers that changed lately, one per silo: the dealers that changed on this silo in this heal
/// period and in the one before, with the months they changed, are asked every period to publish those months again,
/// restoring a contribution that a shard lost with its silo before it stored it. An idle dealer is asked nothing, nor
/// one that deactivated (the dealer index wakes those on its own sweep, and every activation publishes the months its
/// state holds, and the months it archived lately from its archive: see <see cref="DealerMonthArchive"/>).
/// A round asks its dealers in batches spread over half a period, so that it is a trickle and not a burst.
/// </summary>
/// <remarks>
/// Each dealer used to hold this itself: two sets of months and a grain timer from its first change until two periods
/// without one, about 0.6 KB per recently changed activation (0.2 GB for the scale run's 400,000 new dealers), and a
/// timer callback per dealer per period. Here a dealer costs one entry while it is due, and nothing after.
/// </remarks>
public sealed class DealerHeal(IGrainFactory grains, IOptions<AnalyticsOptions> options, TimeProvider clock, ILogger<DealerHeal> logger) : IDisposable
{
    /// <summary>How many dealers are asked at once: a period's round runs as a trickle, not as a burst of every changed dealer.</summary>
    public const int Batch = 100;

    private readonly Lock gate = new();
    private Dictionary<string, string[]> changedNow = new(StringComparer.Ordinal);
    private Dictionary<string, string[]> changedBefore = new(StringComparer.Ordinal);
    private ITimer? timer;
    private int running;

    /// <summary>The dealer (its grain key) changed these months: they are published again in the next two rounds.</summary>
    public void Changed(string dealerKey, IReadOnlyCollection<string> months)
    {
        lock (gate)
        {
            if (!changedNow.TryGetValue(dealerKey, out var held)) changedNow[dealerKey] = [.. months];
            else if (!months.All(held.Contains)) changedNow[dealerKey] = Union(held, months);
            if (timer is null)
            {
                var period = options.Value.DealerHealPeriod;
                timer = clock.CreateTimer(_ => _ = RunRoundAsync(), null, period, period);
            }
        }
    }

    /// <summary>Whether the dealer changed <paramref name="month"/> on this silo in this heal period or the one before: it is due in a round.</summary>
    public bool IsDue(string dealerKey, string month)
    {
        lock (gate)
            return (changedNow.TryGetValue(dealerKey, out var now) && now.Contains(month))
                || (changedBefore.TryGetValue(dealerKey, out var before) && before.Contains(month));
    }

    /// <summary>The dealer deactivated: its next activation publishes its months (held, and archived lately), so it is not woken for them.</summary>
    public void Deactivated(string dealerKey)
    {
        lock (gate)
        {
            changedNow.Remove(dealerKey);
            changedBefore.Remove(dealerKey);
        }
    }

    /// <summary>The dealers due in this round, with their months (those changed in this period and the one before); starts the next period.</summary>
    public IReadOnlyList<(string DealerKey, string[] Months)> TakeRound()
    {
        lock (gate)
        {
            var due = new Dictionary<string, string[]>(changedBefore, StringComparer.Ordinal);
            foreach (var (dealer, months) in changedNow) due[dealer] = due.TryGetValue(dealer, out var before) ? Union(before, months) : months;
            (changedBefore, changedNow) = (changedNow, new(StringComparer.Ordinal));
            return [.. due.Select(d => (d.Key, d.Value))];
        }
    }

    /// <summary>
    /// One round: every dealer due re-publishes its months, <see cref="Batch"/> at a time, the batches spread over half a
    /// period. A round still running when the next is due lets it pass.
    /// </summary>
    public async Task RunRoundAsync()
    {
        if (Interlocked.Exchange(ref running, 1) == 1) return;
        try
        {
            var batches = TakeRound().Chunk(Batch).ToArray();
            var pause = options.Value.DealerHealPeriod / 2 / Math.Max(1, batches.Length);
            for (var i = 0; i < batches.Length; i++)
            {
                if (i > 0) await Task.Delay(pause, clock);
                await Task.WhenAll(batches[i].Select(d => RepublishAsync(d.DealerKey, d.Months)));
            }
        }
        finally
        {
            Volatile.Write(ref running, 0);
        }
    }

    public void Dispose()
    {
        lock (gate) timer?.Dispose();
    }

    private async Task RepublishAsync(string dealerKey, string[] months)
    {
        try
        {
            await grains.GetGrain<IDealerGrain>(dealerKey).RepublishAsync(months);
        }
        catch (Exception exception)
        {
            // The dealer index's sweep wakes it later, and its activation publishes its months (held, and archived lately).
            logger.LogWarning(exception, "Dealer {Dealer} did not re-publish months {Months}", dealerKey, string.Join(", ", months));
        }
    }

    private static string[] Union(string[] held, IEnumerable<string> months) => [.. held.Union(months, StringComparer.Ordinal)];
}
