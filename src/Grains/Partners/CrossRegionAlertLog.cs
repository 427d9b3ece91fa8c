namespace ChannelGrains.Partners;

/// <summary>
/// A tenant's latest 串货 alerts (key <c>tenant</c>), so managers read them from one grain instead of asking every
/// dealer of a region. Only sell-outs that raise alerts write here, which keeps it cold.
/// </summary>
[Alias("ChannelGrains.ICrossRegionAlertLogGrain")]
public interface ICrossRegionAlertLogGrain : IGrainWithStringKey
{
    /// <summary>Adds alerts; an alert already logged (same report, store and SKU) is not added twice.</summary>
    [Alias("Append")] Task AppendAsync(IReadOnlyList<CrossRegionAlert> alerts);

    /// <summary>The newest alerts of dealers within <paramref name="region"/> (all regions when null).</summary>
    [Alias("List")] Task<IReadOnlyList<CrossRegionAlert>> ListAsync(string? region, int first);
}

[GenerateSerializer, Alias("ChannelGrains.CrossRegionAlertLogState")]
public sealed class CrossRegionAlertLogState
{
    [Id(0)] public List<CrossRegionAlert> Alerts { get; set; } = [];
}

public sealed class CrossRegionAlertLogGrain(
    [PersistentState("alert-log", StorageNames.Channel)] IPersistentState<CrossRegionAlertLogState> state) : Grain, ICrossRegionAlertLogGrain
{
    /// <summary>How many alerts the log keeps; a dealer keeps those of its recent reports, and its receipt archives the older ones.</summary>
    public const int Capacity = 10_000;

    public async Task AppendAsync(IReadOnlyList<CrossRegionAlert> alerts)
    {
        var fresh = alerts.Where(a => !state.State.Alerts.Any(l => l.RequestId == a.RequestId && l.DealerId == a.DealerId && l.StoreId == a.StoreId && l.Sku == a.Sku)).ToArray();
        if (fresh.Length == 0) return;
        state.State.Alerts.AddRange(fresh);
        if (state.State.Alerts.Count > Capacity) state.State.Alerts.RemoveRange(0, state.State.Alerts.Count - Capacity);
        await state.PersistAsync(this);
    }

    public Task<IReadOnlyList<CrossRegionAlert>> ListAsync(string? region, int first) =>
        Task.FromResult<IReadOnlyList<CrossRegionAlert>>(state.State.Alerts
            .Where(a => region is null || RegionPath.IsWithin(a.DealerRegion, region))
            .OrderByDescending(a => a.At).Take(first).ToArray());
}
