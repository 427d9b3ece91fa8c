using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ChannelGrains.Analytics;

/// <summary>
/// Runs a flush soon after it is requested, never two at once and never more often than once per interval: the first
/// request after a quiet spell flushes at once (low latency when idle); requests arriving during a flush or during the
/// interval after it are coalesced into one more flush when the interval is over (bounded load when busy). A flush that
/// throws is retried after the interval. Created and used on one grain activation, so it needs no locks.
/// </summary>
public sealed class FlushThrottle(Func<Task> flush, TimeSpan interval, ILogger logger, string what)
{
    private bool requested;
    private bool running;

    public void Request()
    {
        requested = true;
        if (running) return;
        running = true;
        _ = RunAsync();
    }

    /// <summary>Flushes now if anything is pending (at deactivation); failures are logged, not thrown.</summary>
    public async Task DrainAsync()
    {
        if (!requested) return;
        requested = false;
        try
        {
            await flush();
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Final {What} failed", what);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            while (requested)
            {
                requested = false;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await flush();
                }
                catch (Exception exception)
                {
                    logger.LogWarning(exception, "{What} failed; retrying", what);
                    requested = true;
                }
                var rest = interval - Stopwatch.GetElapsedTime(started);
                if (rest > TimeSpan.Zero) await Task.Delay(rest);
            }
        }
        finally
        {
            running = false;
        }
    }
}
