using System.Collections.Concurrent;
using ChannelGrains.Common;

namespace ChannelGrains.Api.Demo;

/// <summary>
/// The demo's live channel: at <see cref="DemoOptions.Rate"/> operations per second, dealers place orders, the
/// manufacturer ships them, dealers receive them and report sell-out. Orders move through their life in turn; a
/// refusal by a rule (credit, stock) is counted, as in a real channel.
/// </summary>
public sealed class DemoTraffic(DemoChannel channel, DemoOperations operations, DemoOptions options, ILogger logger)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private const int MaxInFlight = 64;

    private readonly ConcurrentQueue<string> placed = new();
    private readonly ConcurrentQueue<string> shipped = new();
    private readonly string runId = DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
    private readonly SemaphoreSlim inFlight = new(MaxInFlight);
    private long sequence;
    private long refused;

    public long Done => Interlocked.Read(ref sequence);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.Rate <= 0 || channel.Admitted.Count == 0) return;
        using var timer = new PeriodicTimer(Tick);
        var budget = 0.0;
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            budget = Math.Min(budget + options.Rate * Tick.TotalSeconds, options.Rate);
            for (; budget >= 1; budget--)
            {
                if (!inFlight.Wait(0)) break; // the silo is behind: skip rather than queue without end
                _ = RunOneAsync(Interlocked.Increment(ref sequence));
            }
        }
    }

    private async Task RunOneAsync(long n)
    {
        var random = Random.Shared;
        try
        {
            var roll = random.NextDouble();
            if (roll < 0.25 && shipped.TryDequeue(out var toReceive))
            {
                await operations.ReceiveAsync(toReceive);
            }
            else if (roll < 0.55 && placed.TryDequeue(out var toShip))
            {
                await operations.ShipAsync(toShip);
                shipped.Enqueue(toShip);
            }
            else if (roll < 0.8)
            {
                var id = $"demo-{runId}-{n}";
                await operations.PlaceAsync(channel.Admitted[random.Next(channel.Admitted.Count)], id, random);
                placed.Enqueue(id);
            }
            else
            {
                await operations.SellOutAsync(channel.Admitted[random.Next(channel.Admitted.Count)], $"demo-{runId}-so-{n}", random);
            }
        }
        catch (ChannelException refusal)
        {
            if (Interlocked.Increment(ref refused) % 100 == 1)
                logger.LogInformation("Demo traffic: {Refused} operations refused by a rule so far, e.g. {Code}: {Message}", refused, refusal.Code, refusal.Message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Demo traffic operation {Number} failed", n);
        }
        finally
        {
            inFlight.Release();
        }
    }
}
