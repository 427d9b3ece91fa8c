using ChannelGrains.Partners;
using Orleans.Storage;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>A dealer's state as its storage holds it, not as its activation does.</summary>
internal static class StoredDealer
{
    public static async Task<DealerState> ReadAsync(IGrainStorage storage, IDealerGrain dealer)
    {
        var stored = new GrainState<DealerState>();
        await storage.ReadStateAsync("dealer", dealer.GetGrainId(), stored);
        Assert.True(stored.RecordExists);
        return stored.State!;
    }
}
