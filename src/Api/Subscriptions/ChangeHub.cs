using System.Collections.Concurrent;
using ChannelGrains.Common;
using Orleans.Streams;

namespace ChannelGrains.Api.Subscriptions;

/// <summary>
/// Fans grain change streams out to GraphQL subscriptions: one Orleans stream subscription per topic per process,
/// however many clients watch it, dropped when the last of them leaves. For the namespaces published only while
/// watched (<see cref="ChangeInterest"/>) it tells the registry which keys this process watches, and renews that.
/// </summary>
/// <remarks>
/// Stream messages are not guaranteed: a memory stream queue dies with its silo. So a topic whose changes are whole
/// versioned states also reads its current value again, <see cref="SettleAfter"/> after the last change it delivered
/// and then every <see cref="ResyncEvery"/>: a subscriber whose last message was lost still ends at the current state
/// (the read is dropped as a duplicate when nothing was lost). A feed of several sources (a dealer's orders) also reads
/// its newest sources and the sources each subscription passed on last (<see cref="SourceReaders{T}"/>), so a lost
/// change of one of those is healed too, and so is a lost source that appeared since the subscription started.
/// </remarks>
public sealed class ChangeHub : IDisposable
{
    public static readonly TimeSpan SettleAfter = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan ResyncEvery = TimeSpan.FromSeconds(30);

    /// <summary>How many of the sources a subscription passed on last are read again with its topic's current value.</summary>
    public const int RecentSourcesReadAgain = 8;

    private readonly IClusterClient client;
    private readonly ILogger logger;
    private readonly TimeSpan settleAfter, resyncEvery;
    private readonly string watcher = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, SemaphoreSlim> watchGates = new(StringComparer.Ordinal);
    private readonly Timer renewal;

    private readonly object gate = new();
    private readonly Dictionary<StreamId, Topic> topics = [];

    public ChangeHub(IClusterClient client, ILogger<ChangeHub> logger) : this(client, logger, SettleAfter, ResyncEvery)
    {
    }

    public ChangeHub(IClusterClient client, ILogger<ChangeHub> logger, TimeSpan settleAfter, TimeSpan resyncEvery)
    {
        this.client = client;
        this.logger = logger;
        this.settleAfter = settleAfter;
        this.resyncEvery = resyncEvery;
        renewal = new Timer(_ => _ = RenewAsync(), null, ChangeInterest.WatcherRenewal, ChangeInterest.WatcherRenewal);
    }

    /// <summary>How many topics hold an Orleans subscription right now.</summary>
    public int ActiveTopics
    {
        get { lock (gate) return topics.Count; }
    }

    /// <summary>
    /// The changes of one topic, starting with its current value read once the Orleans subscription is live (and, for
    /// a namespace published only while watched, the watch has returned), so that no change after the current value is
    /// missed; one may arrive twice, which a state-carrying change tolerates. A change made while this runs is in the
    /// current value only if it is that value's source: for a feed of several sources (a dealer's orders) the others'
    /// changes before the first message arrive by the first re-read if they are among the newest sources, and may be
    /// missed otherwise.
    /// </summary>
    /// <param name="sources">For a feed of several versioned sources: how to read its sources again.</param>
    public async Task<IObservable<T>> ObserveAsync<T>(string streamNamespace, string key, Func<Task<T?>> readCurrent, SourceReaders<T>? sources = null) where T : class
    {
        var id = ChangeFeed.StreamOf(streamNamespace, key);
        Topic topic;
        lock (gate)
        {
            if (!topics.TryGetValue(id, out topic!))
                topics[id] = topic = new Topic(this, id);
            topic.Leases++;
        }
        var subscription = new Subscription<T>(topic);
        try
        {
            // The newest sources are read while the subscription goes live, before the current value: one that changes
            // or completes after its read, when a message of it may not reach the subscription yet, is then newer than
            // what the subscription started with, and its first re-read passes it on.
            // A failed read leaves the subscription without the healing of sources it never had, rather than failing it.
            var newest = sources is null ? null : ReadQuietlyAsync(sources.ReadNewest, id, LogLevel.Warning);
            await topic.Subscribed;
            topic.Add(subscription); // from here on messages wait in the subscription until its executor subscribes
            if (newest is not null) subscription.StartedWith(await newest);
            subscription.Current = await readCurrent();
            // Also when there is no current value yet (a dealer without orders): its first one may be a lost message.
            if (typeof(IVersioned).IsAssignableFrom(typeof(T)))
                topic.ResyncFrom(async () => await readCurrent(), sources is null ? null : new SourceReaders<object>(
                    async () => await sources.ReadNewest(), async source => await sources.ReadSource(source)));
            return subscription;
        }
        catch
        {
            topic.Remove(subscription);
            throw;
        }
    }

    /// <summary>A read of a topic's values that logs a failure and gives null: a later re-read retries.</summary>
    private async Task<TValue?> ReadQuietlyAsync<TValue>(Func<Task<TValue>> read, StreamId stream, LogLevel level) where TValue : class?
    {
        try
        {
            return await read();
        }
        catch (Exception exception)
        {
            logger.Log(level, exception, "Reading the values of {Stream} failed; the next re-read tries again", stream);
            return null;
        }
    }

    public void Dispose()
    {
        renewal.Dispose();
        lock (gate)
        {
            foreach (var topic in topics.Values) topic.StopResync();
        }
    }

    /// <summary>Subscribes to the stream, then (for a filtered namespace) watches its key: from then on it is published.</summary>
    private async Task<StreamSubscriptionHandle<object>> SubscribeAsync(Topic topic)
    {
        var handle = await client.GetStreamProvider(StreamNames.Provider).GetStream<object>(topic.Id).SubscribeAsync((change, _) =>
        {
            topic.Deliver(change);
            return Task.CompletedTask;
        });
        if (topic.Id.GetNamespace() is { } streamNamespace && ChangeInterest.Filtered.Contains(streamNamespace))
        {
            try
            {
                await WatchAsync(streamNamespace);
            }
            catch
            {
                await handle.UnsubscribeAsync();
                throw;
            }
        }
        return handle;
    }

    /// <summary>Sends the keys of the namespace this process watches now; one call at a time, so the last one sent is the latest.</summary>
    private async Task WatchAsync(string streamNamespace)
    {
        var watchGate = watchGates.GetOrAdd(streamNamespace, _ => new SemaphoreSlim(1, 1));
        await watchGate.WaitAsync();
        try
        {
            string[] keys;
            lock (gate) keys = topics.Keys.Where(id => id.GetNamespace() == streamNamespace).Select(id => id.GetKeyAsString()).ToArray();
            await client.GetGrain<IChangeInterestGrain>(streamNamespace).WatchAsync(watcher, keys);
        }
        finally
        {
            watchGate.Release();
        }
    }

    private async Task WatchQuietlyAsync(string streamNamespace)
    {
        try
        {
            await WatchAsync(streamNamespace);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Renewing the watched keys of {Namespace} failed; retrying at the next renewal", streamNamespace);
        }
    }

    private Task RenewAsync() => Task.WhenAll(watchGates.Keys.Select(WatchQuietlyAsync));

    private void Release(Topic topic)
    {
        lock (gate)
        {
            if (--topic.Leases > 0) return;
            topics.Remove(topic.Id);
        }
        _ = UnsubscribeAsync(topic);
        if (topic.Id.GetNamespace() is { } streamNamespace && watchGates.ContainsKey(streamNamespace)) _ = WatchQuietlyAsync(streamNamespace);
    }

    private async Task UnsubscribeAsync(Topic topic)
    {
        try
        {
            await (await topic.Subscribed).UnsubscribeAsync();
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Unsubscribing from {Stream} failed", topic.Id);
        }
    }

    private sealed class Topic
    {
        private readonly object observersGate = new();
        private readonly ChangeHub hub;
        private IObserver<object>[] observers = [];
        private Readers? readers;
        private Timer? resync;
        /// <summary>When the last re-read started (<see cref="TimeProvider.GetTimestamp"/>), so that changes arriving all the time do not put off the periodic one for good.</summary>
        private long lastResync = TimeProvider.System.GetTimestamp();
        private int resyncing;

        public Topic(ChangeHub hub, StreamId id)
        {
            this.hub = hub;
            Id = id;
            Subscribed = hub.SubscribeAsync(this);
        }

        public StreamId Id { get; }

        public int Leases { get; set; }

        public Task<StreamSubscriptionHandle<object>> Subscribed { get; }

        public void Add(IObserver<object> observer)
        {
            lock (observersGate) observers = [.. observers, observer];
        }

        /// <summary>Detaches one observer and gives up its lease; the last lease ends the Orleans subscription.</summary>
        public void Remove(IObserver<object> observer)
        {
            lock (observersGate)
            {
                observers = observers.Where(o => o != observer).ToArray();
                if (observers.Length == 0) StopResync();
            }
            hub.Release(this);
        }

        public void StopResync()
        {
            lock (observersGate)
            {
                resync?.Dispose();
                resync = null;
            }
        }

        /// <summary>From now on the topic reads its current value again after changes and periodically (see <see cref="ChangeHub"/>).</summary>
        public void ResyncFrom(Func<Task<object?>> readCurrent, SourceReaders<object>? sources)
        {
            lock (observersGate)
            {
                // Every subscriber of a topic reads it the same way; one that reads no sources does not stop the others' healing.
                readers = new Readers(readCurrent, sources ?? readers?.Sources);
                // The first read again soon, for changes that arrived while the subscription was starting; the timer
                // does not carry the subscribing request's context along.
                using (ExecutionContext.SuppressFlow()) resync ??= new Timer(_ => _ = ResyncAsync(), null, Min(hub.settleAfter, hub.resyncEvery), hub.resyncEvery);
            }
        }

        /// <summary>
        /// A change from the stream: passed on, and the next re-read moved to <see cref="SettleAfter"/> from now, or
        /// sooner when the periodic one is due: a topic that changes all the time is still read again every <see cref="ResyncEvery"/>.
        /// </summary>
        public void Deliver(object change)
        {
            var periodicDue = hub.resyncEvery - TimeProvider.System.GetElapsedTime(Volatile.Read(ref lastResync));
            lock (observersGate) resync?.Change(Max(TimeSpan.Zero, Min(hub.settleAfter, periodicDue)), hub.resyncEvery);
            Pass(change);
        }

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

        /// <summary>
        /// One round at a time: the current value, or for a feed of several sources its newest sources and the other
        /// sources the subscriptions passed on last, each read on its own.
        /// </summary>
        private async Task ResyncAsync()
        {
            if (readers is not { } read || Interlocked.Exchange(ref resyncing, 1) == 1) return;
            try
            {
                Volatile.Write(ref lastResync, TimeProvider.System.GetTimestamp());
                if (read.Sources is not { } sources)
                {
                    if (await hub.ReadQuietlyAsync(read.Current, Id, LogLevel.Debug) is { } current) Pass(current);
                    return;
                }
                // The current value is the last of the newest sources: new since a subscription started, or newer.
                var subscriptions = observers.OfType<IRefreshable>().ToArray();
                var newest = await hub.ReadQuietlyAsync(sources.ReadNewest, Id, LogLevel.Debug) ?? [];
                var newestSources = newest.OfType<IVersioned>().Select(v => v.Source).ToHashSet(StringComparer.Ordinal);
                var others = subscriptions.SelectMany(s => s.RecentSources()).Where(source => !newestSources.Contains(source)).Distinct(StringComparer.Ordinal);
                foreach (var value in newest)
                    foreach (var subscription in subscriptions) Guarded(static (s, v) => s.Refresh(v, amongNewest: true), subscription, value);
                foreach (var value in await Task.WhenAll(others.Select(source => hub.ReadQuietlyAsync(() => sources.ReadSource(source), Id, LogLevel.Debug))))
                    if (value is not null)
                        foreach (var subscription in subscriptions) Guarded(static (s, v) => s.Refresh(v, amongNewest: false), subscription, value);
            }
            finally
            {
                Volatile.Write(ref resyncing, 0);
            }
        }

        private void Pass(object change)
        {
            foreach (var observer in observers) Guarded(static (o, c) => o.OnNext(c), observer, change);
        }

        /// <summary>Hands a value to one subscriber; its failure is logged and does not stop the others (no closure: this runs per message).</summary>
        private void Guarded<TSubscriber>(Action<TSubscriber, object> pass, TSubscriber subscriber, object value)
        {
            try
            {
                pass(subscriber, value);
            }
            catch (Exception exception)
            {
                hub.logger.LogWarning(exception, "A subscriber of {Stream} failed", Id);
            }
        }

        private sealed record Readers(Func<Task<object?>> Current, SourceReaders<object>? Sources);
    }

    /// <summary>A subscription to a feed of several versioned sources, as its topic's re-read sees it.</summary>
    private interface IRefreshable
    {
        /// <summary>The sources it passed on last that may still change, up to <see cref="RecentSourcesReadAgain"/>.</summary>
        IReadOnlyList<string> RecentSources();

        /// <summary>
        /// A source's value read again: passed on if newer than what the subscription passed on of that source. One it
        /// never passed on is passed on if it is among the feed's newest sources and was not among them when the
        /// subscription started (placed or completed since), or was with an older version (changed since).
        /// </summary>
        void Refresh(object value, bool amongNewest);
    }

    /// <summary>
    /// One GraphQL subscription: buffers changes until the executor subscribes, then passes them on; a versioned
    /// change no newer than the last one passed on from the same source (a duplicate, or one already reflected in the
    /// current value) is dropped.
    /// </summary>
    private sealed class Subscription<T>(Topic topic) : IObservable<T>, IObserver<object>, IRefreshable where T : class
    {
        private const int MaxSources = 10_000;

        private readonly object gate = new();
        private readonly Queue<T> early = new();
        private IObserver<T>? observer;
        /// <summary>The last version passed on, by source; forgotten past <see cref="MaxSources"/> (duplicates arrive close together).</summary>
        private readonly Dictionary<string, long> lastVersions = new(StringComparer.Ordinal);
        /// <summary>The sources passed on last, oldest first.</summary>
        private readonly List<string> recent = [];
        /// <summary>The versions of the feed's newest sources when the subscription started (see <see cref="SourceReaders{T}"/>); null for a feed without.</summary>
        private Dictionary<string, long>? startVersions;
        private int disposed;

        private T? current;

        /// <summary>The value it starts with, passed on first.</summary>
        public T? Current
        {
            get { lock (gate) return current; }
            set { lock (gate) current = value; }
        }

        /// <summary>The feed's newest sources as the subscription starts; null when they could not be read.</summary>
        public void StartedWith(IReadOnlyList<T>? newest)
        {
            if (newest is null) return;
            var versions = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var versioned in newest.OfType<IVersioned>()) versions[versioned.Source] = versioned.Version;
            lock (gate) startVersions = versions;
        }

        public IDisposable Subscribe(IObserver<T> target)
        {
            lock (gate)
            {
                if (observer is not null) throw new InvalidOperationException("This subscription is already observed.");
                observer = target;
                if (current is not null) Pass(current);
                while (early.TryDequeue(out var change)) Pass(change);
            }
            return new Unsubscriber(this);
        }

        public void OnNext(object value)
        {
            if (value is not T change) return;
            lock (gate)
            {
                if (observer is null) early.Enqueue(change);
                else Pass(change);
            }
        }

        private void Pass(T change)
        {
            if (change is IVersioned versioned)
            {
                if (lastVersions.TryGetValue(versioned.Source, out var last) && versioned.Version <= last) return;
                if (lastVersions.Count >= MaxSources) ForgetAllButRecent();
                lastVersions[versioned.Source] = versioned.Version;
                recent.Remove(versioned.Source);
                // A source that no longer changes (an order received or cancelled) is not read again.
                if (!versioned.IsFinal) recent.Add(versioned.Source);
                if (recent.Count > RecentSourcesReadAgain) recent.RemoveAt(0);
            }
            observer!.OnNext(change);
        }

        private void ForgetAllButRecent()
        {
            var kept = recent.Where(lastVersions.ContainsKey).Select(source => (source, lastVersions[source])).ToArray();
            lastVersions.Clear();
            foreach (var (source, version) in kept) lastVersions[source] = version;
        }

        public IReadOnlyList<string> RecentSources()
        {
            lock (gate) return recent.ToArray();
        }

        public void Refresh(object value, bool amongNewest)
        {
            if (value is not T change || change is not IVersioned versioned) return;
            lock (gate)
            {
                if (observer is null) return;
                if (lastVersions.ContainsKey(versioned.Source)) Pass(change); // Pass drops it unless newer
                else if (amongNewest && startVersions is not null && (!startVersions.TryGetValue(versioned.Source, out var atStart) || versioned.Version > atStart)) Pass(change);
            }
        }

        public void OnCompleted() => observer?.OnCompleted();

        public void OnError(Exception error) => observer?.OnError(error);

        private void Detach()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) topic.Remove(this);
        }

        private sealed class Unsubscriber(Subscription<T> subscription) : IDisposable
        {
            public void Dispose() => subscription.Detach();
        }
    }
}

/// <summary>
/// How a feed of several versioned sources (a dealer's orders) is read again. At each re-read its newest sources (the
/// last of which is its current value), and the sources each subscription passed on last that may still change (up to
/// <see cref="ChangeHub.RecentSourcesReadAgain"/>), are read; a value newer than what a subscription passed on of its
/// source reaches it, and so does one of the newest sources that was not among them when the subscription started
/// (placed since) or has changed since. So a lost message of an order shipped, or of a new order that is no longer the
/// latest by the next re-read, still arrives, as the order's current state. An older source a subscription never
/// passed on reaches it only through its stream.
/// </summary>
/// <param name="ReadNewest">The feed's newest sources, oldest first, without those not yet complete (an order still being placed).</param>
/// <param name="ReadSource">One source's current value.</param>
public sealed record SourceReaders<T>(Func<Task<IReadOnlyList<T>>> ReadNewest, Func<string, Task<T?>> ReadSource) where T : class;
