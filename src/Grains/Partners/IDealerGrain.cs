namespace ChannelGrains.Partners;

/// <summary>One dealer of one tenant (key <c>tenant/dealerId</c>): profile, admission, credit and dealer stock.</summary>
[Alias("ChannelGrains.IDealerGrain")]
public interface IDealerGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<DealerView?> GetAsync();

    [Alias("Upsert")] Task<DealerView> UpsertAsync(DealerInfo info);
}
