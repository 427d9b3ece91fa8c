using ChannelGrains.Api.Auth;
using ChannelGrains.Api.Partners;
using ChannelGrains.Api.Schema;
using ChannelGrains.Common;
using ChannelGrains.Fields;
using GraphQL.Types;

namespace ChannelGrains.Api.Fields;

public sealed class StoreType : ObjectGraphType<StoreInfo>
{
    public StoreType()
    {
        Name = "Store";
        StoreFields.Add(this);
    }
}

public sealed class StoreInputType : InputObjectGraphType<StoreInfo>
{
    public StoreInputType()
    {
        Name = "StoreInput";
        StoreFields.Add(this);
    }
}

public static class StoreFields
{
    /// <summary>
    /// A store belongs to its dealer; a rep sees the stores of the region its token names, the ones it visits. A store's
    /// dealer must exist and be one the caller manages: else that dealer would read a store a manager of another region
    /// attached to it (rule 19).
    /// </summary>
    public static readonly ProfileKind<StoreInfo> Kind = new("Store", s => s.Region, Role.Dealer, s => [s.DealerId],
        (caller, store) => caller.Role == Role.Rep && caller.Region.Length > 0 && RegionPath.IsWithin(store.Region, caller.Region))
    {
        EnsureReferences = async (context, stores) => await Task.WhenAll(stores.Select(s => s.DealerId).OfType<string>().Distinct(StringComparer.Ordinal)
            .Select(dealerId => DealerAccess.EnsureActingForExistingAsync(context, dealerId))),
    };

    public static void Add(ComplexGraphType<StoreInfo> type)
    {
        type.Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        type.Field(x => x.Name);
        type.Field(x => x.DealerId, type: typeof(IdGraphType));
        type.Field(x => x.Region);
        type.Field(x => x.Latitude, nullable: true);
        type.Field(x => x.Longitude, nullable: true);
    }
}
