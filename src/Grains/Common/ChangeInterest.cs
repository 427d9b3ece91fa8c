using Orleans.Concurrency;

namespace ChannelGrains.Common;

/// <summary>
/// Which change feeds anyone watches. Most dealers and orders change with nobody subscribed to them, and publishing a
/// change nobody reads costs a stream message each time. So for the namespaces in <see cref="Filtered"/> a producer
/// publishes only the keys some Api process watches (<see cref="ChangeInterestCache"/>), and an Api process watches a
/// key (<see cref="IChangeInterestGrain.WatchAsync"/>) before it reads the current value: watching returns only once
/// every silo's copy of the watched keys includes it or has expired, so no change after that is skipped.
/// </summary>
public static class ChangeInterest
{
    /// <summary>
    /// Namespaces published only while watched: the feeds whose subscription starts with the current value, read once
    /// watching has returned, so a change made while the watch was on its way is in that value. A dealer's orders are
    /// many sources in one feed, and its subscription starts with the latest placed order only; it reads the dealer's
    /// newest orders while it subscribes and watches, so that a change of one of those after its read and before the
    /// first message arrives by its first re-read. A change of an older order before the first message does not reach
    /// it, as when every order was published and the window ended when the stream subscription was live; watching
    /// makes that window longer, by up to <see cref="CopyLifetime"/> and 100 ms. Every change after the first message
    /// is published.
    /// </summary>
    public static readonly IReadOnlySet<string> Filtered = new HashSet<string>(StringComparer.Ordinal)
    {
        StreamNames.Dealer, StreamNames.OrdersOfDealer, Analytics.AnalyticsKeys.SummaryStream,
    };

    /// <summary>A silo's copy of the watched keys is read again after this long, while its producers publish.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromMilliseconds(200);

    /// <summary>A copy older than this is not trusted: the silo publishes every change until it has a fresh one.</summary>
    public static readonly TimeSpan CopyLifetime = TimeSpan.FromSeconds(1);

    /// <summary>An Api process re-sends its watched keys this often; its keys are dropped after <see cref="WatcherLease"/>.</summary>
    public static readonly TimeSpan WatcherRenewal = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan WatcherLease = TimeSpan.FromSeconds(30);
}

/// <summary>The watched keys of one namespace; <see cref="Keys"/> is null when the reader's version is current.</summary>
[GenerateSerializer, Alias("ChannelGrains.InterestSnapshot")]
public sealed record class InterestSnapshot([property: Id(0)] long Version, [property: Id(1)] IReadOnlyList<string>? Keys);

[GenerateSerializer, Alias("ChannelGrains.InterestWatcher")]
public sealed record class InterestWatcher([property: Id(0)] IReadOnlyList<string> Keys, [property: Id(1)] DateTime Until);

[GenerateSerializer, Alias("ChannelGrains.ChangeInterestState")]
public sealed class ChangeInterestState
{
    [Id(0)] public Dictionary<string, InterestWatcher> Watchers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Above every version an activation has handed out: where the next activation's versions start.</summary>
    [Id(1)] public long VersionFloor { get; set; }
}

/// <summary>
/// The registry of watched keys of one stream namespace (the key of the grain). Its watchers are stored, so that a
/// registry activated again (its silo died) knows them at once rather than after every watcher renewed.
/// </summary>
[Alias("ChannelGrains.IChangeInterestGrain")]
public interface IChangeInterestGrain : IGrainWithStringKey
{
    /// <summary>
    /// Sets every key <paramref name="watcher"/> watches, renewing its lease. When this adds a key, it returns once every
    /// silo's copy includes the key or has expired.
    /// </summary>
    [Alias("Watch")] Task WatchAsync(string watcher, IReadOnlyList<string> keys);

    /// <summary>
    /// A silo's copy (<paramref name="reader"/> names it) asks for the keys, unless it holds <paramref name="knownVersion"/>.
    /// Interleaves with a watch waiting for the readers.
    /// </summary>
    [AlwaysInterleave, Alias("Read")] Task<InterestSnapshot> ReadAsync(string reader, long knownVersion);

    /// <summary>
    /// The reader's copy now holds <paramref name="version"/>: sent once the copy read is in use, since a version handed
    /// out is not yet one a silo filters by.
    /// </summary>
    [AlwaysInterleave, Alias("Holds")] Task HoldsAsync(string reader, long version);
}

public sealed class ChangeInterestGrain(
    [PersistentState("change-interest", StorageNames.Channel)] IPersistentState<ChangeInterestState> state,
    TimeProvider clock) : Grain, IChangeInterestGrain
{
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(100);

    /// <summary>When each reader was last heard from, and the activation's start: monotonic timestamps, so that a step of the
    /// wall clock cannot make a reader look quiet (and a watch return) early.</summary>
    private readonly Dictionary<string, (long Version, long At)> readers = new(StringComparer.Ordinal);
    private long activatedAt;
    private HashSet<string> watched = new(StringComparer.Ordinal);
    private long version;

    /// <summary>
    /// Versions rise across activations (<see cref="RisingVersions"/>): a reader reports the version of the copy it
    /// filters by, and a copy from an earlier activation with a version above this one's would count as current
    /// without the keys watched since.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        version = RisingVersions.Start(state.State.VersionFloor, clock);
        activatedAt = clock.GetTimestamp();
        Recompute();
        state.State.VersionFloor = RisingVersions.FloorAbove(version);
        await state.PersistAsync(this);
    }

    public async Task WatchAsync(string watcher, IReadOnlyList<string> keys)
    {
        state.State.Watchers[watcher] = new InterestWatcher(keys.Distinct(StringComparer.Ordinal).ToArray(), (clock.GetUtcNow() + ChangeInterest.WatcherLease).UtcDateTime);
        var added = Recompute();
        // Between two watches the version rises only by expiries, at most once per watcher.
        state.State.VersionFloor = RisingVersions.FloorAbove(version);
        await state.PersistAsync(this);
        if (added) await UntilReadersHoldAsync(version);
    }

    public Task<InterestSnapshot> ReadAsync(string reader, long knownVersion)
    {
        Recompute();
        readers[reader] = (knownVersion, clock.GetTimestamp());
        return Task.FromResult(new InterestSnapshot(version, knownVersion == version ? null : watched.ToArray()));
    }

    public Task HoldsAsync(string reader, long version)
    {
        readers[reader] = (version, clock.GetTimestamp());
        return Task.CompletedTask;
    }

    /// <summary>Drops expired watchers and recomputes the union; true when it gained a key.</summary>
    private bool Recompute()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var expired in state.State.Watchers.Where(w => w.Value.Until < now).Select(w => w.Key).ToArray()) state.State.Watchers.Remove(expired);
        var union = state.State.Watchers.Values.SelectMany(w => w.Keys).ToHashSet(StringComparer.Ordinal);
        if (union.SetEquals(watched)) return false;
        var added = !union.IsSubsetOf(watched);
        watched = union;
        version++;
        return added;
    }

    /// <summary>
    /// Waits until every reader holds <paramref name="target"/> or has gone quiet. A reader's versions count once it says
    /// it filters by them (its next read, or <see cref="HoldsAsync"/>), not when they are handed out: until the answer
    /// reaches its silo, the silo filters by its older copy. Every copy a reader holds dates from before its last message
    /// reached here, so it has expired <see cref="ChangeInterest.CopyLifetime"/> after that.
    /// </summary>
    private async Task UntilReadersHoldAsync(long target)
    {
        while (true)
        {
            foreach (var gone in readers.Where(r => clock.GetElapsedTime(r.Value.At) > ChangeInterest.CopyLifetime + Margin).Select(r => r.Key).ToArray())
                readers.Remove(gone);
            // The readers are not stored: a registry activated again (its silo died) does not know which silos hold a
            // copy without the key until every copy handed out before has expired.
            if (clock.GetElapsedTime(activatedAt) > ChangeInterest.CopyLifetime + Margin && readers.Values.All(r => r.Version >= target)) return;
            await Task.Delay(TimeSpan.FromMilliseconds(20), clock);
        }
    }
}
