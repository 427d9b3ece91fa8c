using ChannelGrains.Common;

namespace ChannelGrains.Api.Auth;

/// <summary>
/// Rule 19: an ADMIN reaches its whole tenant, a MANAGER the regions under its own, and a DEALER, AGENT or REP only
/// itself and what belongs to it. The tenant boundary is structural: every grain key starts with the caller's tenant.
/// </summary>
public static class Access
{
    public static void EnsureAdmin(Caller caller)
    {
        if (caller.Role != Role.Admin) throw Forbidden("Only an ADMIN may do this.");
    }

    /// <summary>Create or change a record that lives in <paramref name="region"/>.</summary>
    public static void EnsureCanManage(Caller caller, string region)
    {
        if (!CanManage(caller, region)) throw Forbidden($"A {Caller.RoleName(caller.Role)} token may not change records in {region}.");
    }

    /// <summary>
    /// Create or change a batch of records: the caller must manage each record's new region and, unless an ADMIN,
    /// its current one too, so a MANAGER cannot move records in from or out to a region outside its own.
    /// </summary>
    public static async Task EnsureCanManageAllAsync<T>(Caller caller, IReadOnlyList<T> batch, Func<T, string> region, Func<T, Task<string?>> currentRegion)
    {
        foreach (var record in batch) EnsureCanManage(caller, region(record));
        if (caller.Role == Role.Admin) return;
        foreach (var current in await Task.WhenAll(batch.Select(currentRegion)))
            if (current is not null) EnsureCanManage(caller, current);
    }

    /// <summary>
    /// Read a record in <paramref name="region"/> owned by the partners in <paramref name="owners"/>, each a partner of
    /// <paramref name="ownerRole"/>: ids are the integrator's own, and a rep may have a dealer's id.
    /// </summary>
    public static void EnsureCanSee(Caller caller, string region, Role ownerRole, params string?[] owners)
    {
        if (!CanSee(caller, region, ownerRole, owners)) throw Forbidden("This record is outside what the token may see.");
    }

    public static bool CanManage(Caller caller, string region) => caller.Role switch
    {
        Role.Admin => true,
        Role.Manager => RegionPath.IsWithin(region, caller.Region),
        _ => false,
    };

    public static bool CanSee(Caller caller, string region, Role ownerRole, params string?[] owners) =>
        CanManage(caller, region) || (caller.Role == ownerRole && ownerRole is Role.Dealer or Role.Agent or Role.Rep && owners.Contains(caller.Subject));

    /// <summary>The region a listing is confined to: the one asked for, which a MANAGER may only narrow.</summary>
    public static string? ListingRegion(Caller caller, string? requested) => caller.Role switch
    {
        Role.Admin => requested,
        Role.Manager when requested is null => caller.Region,
        Role.Manager when RegionPath.IsWithin(requested, caller.Region) => requested,
        _ => throw Forbidden($"A {Caller.RoleName(caller.Role)} token may not list {requested ?? "every region"}."),
    };

    public static ChannelException Forbidden(string message) => new(ErrorCodes.Forbidden, message);
}
