namespace ChannelGrains.Tests.Infrastructure;

/// <summary>Which grains of a class are active on the cluster now, by key, as the silos' management grain reports them.</summary>
internal static class ActiveGrains
{
    public static async Task<HashSet<string>> KeysAsync<TGrain>(IGrainFactory grains) =>
        [.. (await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics())
            .Where(s => s.GrainType.Contains(typeof(TGrain).Name, StringComparison.Ordinal)).Select(s => s.GrainId.Key.ToString()!)];
}
