namespace ChannelGrains.Fields;

/// <summary>A retail store (终端), optionally supplied by a dealer; its coordinates anchor the geofence for check-ins.</summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.StoreInfo")]
public sealed record class StoreInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? DealerId,
    [property: Id(3)] string Region,
    [property: Id(4)] double? Latitude,
    [property: Id(5)] double? Longitude) : IProfile<StoreInfo>
{
    public StoreInfo Validated()
    {
        if (DealerId is not null) Validate.Id(DealerId, "dealerId");
        if (Latitude is null != Longitude is null) throw ChannelException.Validation("latitude and longitude come together or not at all.");
        if (Latitude is { } lat && (double.IsNaN(lat) || lat < -90 || lat > 90)) throw ChannelException.Validation("latitude must be within -90..90.");
        if (Longitude is { } lon && (double.IsNaN(lon) || lon < -180 || lon > 180)) throw ChannelException.Validation("longitude must be within -180..180.");
        return this with { Id = Validate.Id(Id, "id"), Name = Validate.Name(Name, "name"), Region = Validate.Region(Region) };
    }
}

/// <summary>One store of one tenant (key <c>tenant/storeId</c>).</summary>
[Alias("ChannelGrains.IStoreGrain")]
public interface IStoreGrain : IProfileGrain<StoreInfo>;

public sealed class StoreGrain([PersistentState("store", StorageNames.Channel)] IPersistentState<ProfileState<StoreInfo>> state)
    : ProfileGrain<StoreInfo>(state), IStoreGrain;
