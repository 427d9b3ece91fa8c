using ChannelGrains.Analytics;
using ChannelGrains.Common;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Storage;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>A source shard that loses a source, as when its silo died before it stored the source's contribution.</summary>
internal static class ShardLoss
{
    /// <summary>
    /// Deactivates the shard and stores its state without the source, until the shard, active again, holds nothing in
    /// <paramref name="region"/> (a heal that publishes the source meanwhile makes it try again).
    /// </summary>
    public static Task LoseAsync(IServiceProvider silo, ISourceShardGrain shard, string sourceId, string region) =>
        Eventually.TrueAsync(async () =>
        {
            await shard.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
            return await ForgetAsync(silo, shard, sourceId) && (await shard.GetRegionPartAsync(region)).Totals.Figures == new ChannelFigures();
        }, TimeSpan.FromSeconds(20), () => Task.FromResult($"shard {shard.GetPrimaryKeyString()} never lost {sourceId}"));

    /// <summary>Stores the shard's state without the source (once the deactivated shard stored its own); false if it did not hold it, or stored its own meanwhile.</summary>
    private static async Task<bool> ForgetAsync(IServiceProvider silo, ISourceShardGrain shard, string sourceId)
    {
        var storage = silo.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel);
        var stored = new GrainState<SourceShardState>();
        await storage.ReadStateAsync("analytics-shard", shard.GetGrainId(), stored);
        if (stored.State?.Sources.Remove(sourceId) != true) return stored.State?.Sources.ContainsKey(sourceId) == false && stored.RecordExists;
        try
        {
            await storage.WriteStateAsync("analytics-shard", shard.GetGrainId(), stored);
        }
        catch (InconsistentStateException)
        {
            return false; // the deactivating shard stored its own state meanwhile: read it again
        }
        return true;
    }
}
