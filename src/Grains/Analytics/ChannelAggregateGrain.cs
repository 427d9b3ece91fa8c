using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Analytics;

/// <summary>All an aggregate stores: its inputs are read again on activation, but its versions must go on rising.</summary>
[GenerateSerializer, Alias("ChannelGrains.Analytics.AggregateVersionState")]
public sealed class AggregateVersionState
{
    /// <summary>Above every version of the aggregate handed out so far (<see cref="RisingVersions"/>).</summary>
    [Id(0)] public long VersionFloor { get; set; }
}

public sealed class ChannelAggregateGrain(
    [PersistentState("analytics-aggregate", StorageNames.Channel)] IPersistentState<AggregateVersionState> stored,
    IOptions<AnalyticsOptions> options,
    TimeProvider clock,
    ILogger<ChannelAggregateGrain> logger) : Grain, IChannelAggregateGrain
{
    private const string ShardPrefix = "shard:", ChildPrefix = "child:", MonthPrefix = "month:";

    /// <summary>
    /// How long a top list read from the shards is served while the version stays the same. The version moves with
    /// every change of the totals, so this only bounds the rare change that leaves them equal (one dealer's sale moved
    /// to another of the same tier): after the last event the ranking is exact within this time too.
    /// </summary>
    public static readonly TimeSpan TopDealersHeldAtMost = TimeSpan.FromSeconds(1);

    /// <summary>Top lists by length asked: a dashboard asks the same few at every refresh.</summary>
    private const int TopListsKept = 8;

    private readonly Dictionary<string, AggregatePart> inputs = new(StringComparer.Ordinal);
    private AggregateLedger ledger = null!;
    private readonly Rollup.Accumulator accumulator = new();
    private FlushThrottle? pusher;
    private string tenant = "", region = "";
    private Period period;
    private long pushedVersion;

    /// <summary>What <see cref="Children"/> found, until an input is added or names other children: every push read it.</summary>
    private string[]? children;

    private readonly Dictionary<int, (long Version, long ReadAt, Task<IReadOnlyList<DealerSellOut>> List)> topDealers = [];

    public static string ShardInput(int shard) => ShardPrefix + shard;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (tenant, period, region) = AnalyticsKeys.ParseAggregate(this.GetPrimaryKeyString());
        // Its parent and the quarter above hold the versions of an earlier activation, maybe from a silo whose clock
        // was ahead: start above them, and store that before anything goes out. The empty total is not pushed.
        var first = RisingVersions.Start(stored.State.VersionFloor, clock);
        await StoreFloorAsync(first);
        ledger = new AggregateLedger(first);
        pushedVersion = first;
        pusher = new FlushThrottle(PushAsync, options.Value.PushInterval, logger, "Aggregate push");
        var every = options.Value.ReconcileInterval;
        this.RegisterGrainTimer(ReconcileAsync, new GrainTimerCreationOptions(Jitter.Spread(every), every) { KeepAlive = false });
        await ReconcileAsync();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => pusher!.DrainAsync();

    public Task AcceptAsync(string input, AggregatePart part)
    {
        if (inputs.TryGetValue(input, out var held) && held.Version >= part.Version) return Task.CompletedTask;
        inputs[input] = part;
        if (held is null || !held.Children.SequenceEqual(part.Children)) children = null;
        if (period.Kind == PeriodKind.Month)
        {
            // A month is the plain sum of its inputs (often 16 shards and a few children), kept up to date input by
            // input (see Rollup.Accumulator). A quarter or year sums its few months when it computes.
            if (held is null) accumulator.Add(part.Totals);
            else accumulator.Replace(held.Totals, part.Totals);
        }
        ledger.InputsChanged();
        pusher!.Request();
        return Task.CompletedTask;
    }

    public Task<AggregatePart> GetPartAsync()
    {
        var (totals, version, updatedAt) = Current();
        return Task.FromResult(new AggregatePart(version, updatedAt, totals, Children()));
    }

    public Task<ChannelSummaryView> GetSummaryAsync() => Task.FromResult(Summary());

    public Task<ChannelBreakdownView> GetBreakdownAsync()
    {
        var (totals, version, updatedAt) = Current();
        return Task.FromResult(new ChannelBreakdownView(region, period.ToString(), totals, Children(), updatedAt, version));
    }

    public Task<IReadOnlyList<DealerSellOut>> GetTopDealersAsync(int first)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        // Every reader at this version gets a list read after the version was current, so it is as new as the summary.
        var version = Current().Version;
        if (topDealers.TryGetValue(first, out var held) && held.Version == version && !held.List.IsFaulted && !held.List.IsCanceled
            && clock.GetElapsedTime(held.ReadAt) < TopDealersHeldAtMost)
            return held.List;
        if (topDealers.Count >= TopListsKept) topDealers.Clear();
        var list = ReadTopDealersAsync(first);
        topDealers[first] = (version, clock.GetTimestamp(), list);
        return list;
    }

    /// <summary>
    /// From the shards of each month: a dealer counts in one shard per month, so in a month each shard's own top list is
    /// enough; over a quarter or year a dealer is summed over its months, so every shard lists all its dealers here.
    /// </summary>
    private async Task<IReadOnlyList<DealerSellOut>> ReadTopDealersAsync(int first)
    {
        if (first == 0) return [];
        var month = period.Kind == PeriodKind.Month;
        var sellers = await Task.WhenAll(period.Months()
            .SelectMany(m => AnalyticsKeys.AllShards(tenant, m.ToString()))
            .Select(shard =>
            {
                var grain = GrainFactory.GetGrain<ISourceShardGrain>(shard);
                return month ? grain.GetTopSellersAsync(region, first) : grain.GetSellersAsync(region);
            }));
        return Rollup.TopSellers(sellers.SelectMany(s => s), first);
    }

    private (ChannelTotals Totals, long Version, DateTime UpdatedAt) Current() => ledger.Current(Compute);

    private ChannelSummaryView Summary()
    {
        var (totals, version, updatedAt) = Current();
        return new ChannelSummaryView(region, period.ToString(), totals.Figures, updatedAt, version);
    }

    private ChannelTotals Compute() => period.Kind == PeriodKind.Month
        ? accumulator.ToTotals(null)
        : accumulator.OverMonths(inputs.Select(i => (i.Key[MonthPrefix.Length..], i.Value.Totals)));

    /// <summary>Child regions with data: those that pushed a total, and those a shard or month names.</summary>
    private string[] Children() => children ??= inputs
        .SelectMany(i => i.Key.StartsWith(ChildPrefix, StringComparison.Ordinal) ? [i.Key[ChildPrefix.Length..]] : i.Value.Children)
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    private async Task PushAsync()
    {
        // Every input change asks for a push (one per push interval at most), so the floor is looked at while the
        // versions rise, in a quarter or year that pushes nothing too.
        if (RisingVersions.NearFloor(ledger.Version, stored.State.VersionFloor)) await StoreFloorAsync(ledger.Version);
        // A quarter or year feeds no other aggregate: unless someone watches its summary, it sums its months only when read.
        if (period.Kind != PeriodKind.Month && !this.IsWatched(AnalyticsKeys.SummaryStream, this.GetPrimaryKeyString())) return;
        var summary = Summary();
        if (summary.Version == pushedVersion) return;
        var part = await GetPartAsync();
        var targets = new List<Task>();
        if (period.Kind == PeriodKind.Month)
        {
            if (RegionPath.Parent(region) is { } parent) targets.Add(Aggregate(period, parent).AcceptAsync(ChildPrefix + region, part));
            targets.AddRange(period.Enclosing().Select(p => Aggregate(p, region).AcceptAsync(MonthPrefix + period, part)));
        }
        await Task.WhenAll(targets);
        // Subscribers have no later change to catch up from when this was the last one: publish it until it goes out.
        if (await this.PublishChangeAsync(AnalyticsKeys.SummaryStream, this.GetPrimaryKeyString(), () => summary, logger)) pushedVersion = summary.Version;
        else pusher!.Request();
    }

    /// <summary>
    /// Re-reads every input from below (on activation, then periodically): the 16 shards of the month and every child
    /// region, or the months of a quarter or year. Parts already held are ignored by version, so this only repairs what
    /// a dead silo's lost pushes or a restarted shard left stale.
    /// </summary>
    private async Task ReconcileAsync()
    {
        try
        {
            if (period.Kind == PeriodKind.Month)
            {
                var shards = await Task.WhenAll(Enumerable.Range(0, AnalyticsKeys.Shards).Select(async s =>
                    (s, await GrainFactory.GetGrain<ISourceShardGrain>(AnalyticsKeys.Shard(tenant, period.ToString(), s)).GetRegionPartAsync(region))));
                foreach (var (shard, part) in shards) await AcceptAsync(ShardInput(shard), part);
                var children = await Task.WhenAll(Children().Select(async child => (child, await Aggregate(period, child).GetPartAsync())));
                foreach (var (child, part) in children) await AcceptAsync(ChildPrefix + child, part);
            }
            else
            {
                var months = await Task.WhenAll(period.Months().Select(async m => (m, await Aggregate(m, region).GetPartAsync())));
                foreach (var (month, part) in months) await AcceptAsync(MonthPrefix + month, part);
            }
            if (period.Kind == PeriodKind.Month)
            {
                // The running sum again from scratch: cheap at this pace, and its exactness then never depends on every
                // replaced input having been taken out exactly.
                accumulator.Reset();
                foreach (var part in inputs.Values) accumulator.Add(part.Totals);
                ledger.InputsChanged();
                pusher!.Request(); // pushes nothing unless the rebuilt sum differs
            }
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Reconciling {Aggregate} failed; the next round retries", this.GetPrimaryKeyString());
        }
    }

    private async Task StoreFloorAsync(long version)
    {
        stored.State.VersionFloor = RisingVersions.FloorAbove(version);
        await stored.PersistAsync(this);
    }

    private IChannelAggregateGrain Aggregate(Period of, string inRegion) => GrainFactory.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(tenant, of, inRegion));
}
