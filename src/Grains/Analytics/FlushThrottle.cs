using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ChannelGrains.Analytics;

/// <summary>
/// Runs a flush soon after it is requested, never two at once and never more often than once per interval: the first
/// request after a quiet spell flushes at once (low latency when idle); requests arriving during a flush or during the
/// interval after it are coalesced into one more flush when the interval is over (bounded load when busy). A flush that
/// throws is retried after the interval. Requests may come from any thread.
/// </summary>
/// <param name="onThreadPool">
/// Whether the flushes run on the thread pool, without the requester's execution context: for a flush that serves
/// many callers (a silo's contribution buffer). Otherwise they start on the requester's scheduler, as a grain's own
/// flush must, since it reads the grain's state.
/// </param>
public sealed class FlushThrottle(Func<Task> flush, TimeSpan interval, ILogger logger, string what, bool onThreadPool = false)
{
    private readonly Lock gate = new();
    private bool requested;
    private bool running;

    public void Request()
    {
        lock (gate)
        {
            requested = true;
            if (running) return;
            running = true;
        }
        if (onThreadPool) ThreadPool.UnsafeQueueUserWorkItem(static throttle => _ = throttle.RunAsync(), this, preferLocal: false);
        else _ = RunAsync();
    }

    /// <summary>Flushes now if anything is pending (at deactivation); failures are logged, not thrown.</summary>
    public async Task DrainAsync()
    {
        lock (gate)
        {
            if (!requested) return;
            requested = false;
        }
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
        while (TakeRequest())
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await flush();
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "{What} failed; retrying", what);
                lock (gate) requested = true;
            }
            var rest = interval - Stopwatch.GetElapsedTime(started);
            if (rest > TimeSpan.Zero) await Task.Delay(rest);
        }
    }

    /// <summary>Takes the pending request, or ends the run when there is none (so that the next request starts one).</summary>
    private bool TakeRequest()
    {
        lock (gate)
        {
            running = requested;
            requested = false;
            return running;
        }
    }
}
