namespace ChannelGrains.Analytics;

/// <summary>
/// The computed total of an aggregate, recomputed only when an input changed and only given a new version when the
/// result differs, so a re-published but unchanged input causes no push, no stream message and no version churn.
/// Versions count up from <paramref name="firstVersion"/>, the empty total's (see <see cref="RisingVersions"/>).
/// </summary>
public sealed class AggregateLedger(long firstVersion)
{
    private ChannelTotals totals = ChannelTotals.Empty;
    private bool stale;
    private long version = firstVersion;
    private DateTime updatedAt = DateTime.UnixEpoch;

    /// <summary>The last version handed out, without computing.</summary>
    public long Version => version;

    public void InputsChanged() => stale = true;

    public (ChannelTotals Totals, long Version, DateTime UpdatedAt) Current(Func<ChannelTotals> compute)
    {
        if (stale)
        {
            stale = false;
            var computed = compute();
            if (!Rollup.Same(computed, totals))
            {
                totals = computed;
                version++;
                updatedAt = DateTime.UtcNow;
            }
        }
        return (totals, version, updatedAt);
    }
}
