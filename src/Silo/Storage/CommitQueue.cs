using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ChannelGrains.Silo.Storage;

/// <summary>One request waiting in a <see cref="CommitQueue{TRequest}"/>: its identity in a batch, and how it ends.</summary>
internal interface IQueuedRequest
{
    /// <summary>Two requests with the same key never share a batch (one statement may touch a row once).</summary>
    string Key { get; }

    void Fail(Exception error);
}

/// <summary>
/// Group commit: requests queue up while the database is busy, and each free worker takes everything waiting (up to
/// <c>maxBatch</c>) as one batch, i.e. one statement and one commit. With no load a request runs alone at once, so
/// batching adds no latency; under load the batches grow and the commits per request fall.
/// </summary>
internal sealed class CommitQueue<TRequest> : IAsyncDisposable where TRequest : class, IQueuedRequest
{
    private readonly Channel<TRequest> queue = Channel.CreateUnbounded<TRequest>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly Func<IReadOnlyList<TRequest>, Task> runBatch;
    private readonly int maxBatch;
    private readonly ILogger logger;
    private readonly Task[] workers;

    public CommitQueue(string name, int workers, int maxBatch, Func<IReadOnlyList<TRequest>, Task> runBatch, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        this.runBatch = runBatch;
        this.maxBatch = maxBatch;
        this.logger = logger;
        this.workers = Enumerable.Range(0, workers).Select(i => Task.Run(() => WorkAsync($"{name}#{i}"))).ToArray();
    }

    /// <summary>Queues a request; it ends through its own completion (result, or <see cref="IQueuedRequest.Fail"/>).</summary>
    public void Enqueue(TRequest request)
    {
        if (!queue.Writer.TryWrite(request))
            request.Fail(new ObjectDisposedException(nameof(CommitQueue<TRequest>), "The grain storage is shutting down."));
    }

    private async Task WorkAsync(string worker)
    {
        var batch = new List<TRequest>(maxBatch);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        TRequest? carried = null;
        while (carried is not null || await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            keys.Clear();
            if (carried is not null)
            {
                batch.Add(carried);
                keys.Add(carried.Key);
                carried = null;
            }
            while (batch.Count < maxBatch && queue.Reader.TryRead(out var next))
            {
                if (!keys.Add(next.Key))
                {
                    carried = next; // the same row again: it opens the next batch, after this one committed
                    break;
                }
                batch.Add(next);
            }
            if (batch.Count == 0)
                continue;
            try
            {
                await runBatch(batch);
            }
            catch (Exception error)
            {
                logger.LogWarning(error, "Grain storage batch of {Count} failed on {Worker}; each request fails with the error", batch.Count, worker);
                foreach (var request in batch)
                    request.Fail(error);
            }
        }
    }

    /// <summary>Stops taking requests and waits until everything queued has run.</summary>
    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await Task.WhenAll(workers);
    }
}
