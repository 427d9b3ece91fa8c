using ChannelGrains.Api.Auth;
using ChannelGrains.Api.Schema;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using GraphQL;

namespace ChannelGrains.Api.Partners;

/// <summary>
/// Rule 19 for a dealer and what belongs to it (its orders, stock, sell-out, quota). The <c>Ensure…</c> checks, which
/// guard a mutation, a query or a subscription without returning the dealer, ask it for its region alone; those that
/// return the dealer read its whole view.
/// </summary>
/// <remarks>
/// An ADMIN may act for and manage every dealer of its tenant, so
/// <see cref="EnsureActingForAsync"/> and <see cref="EnsureManagedAsync"/> read nothing for one: the grain call they
/// guard refuses a dealer that does not exist (<c>NOT_FOUND</c>), and an integrator's ADMIN token saves a grain call
/// per mutation.
/// </remarks>
public static class DealerAccess
{
    /// <summary>The dealer if the caller may see it; null if it does not exist (and the caller could have seen it).</summary>
    public static async Task<DealerView?> VisibleAsync(IResolveFieldContext context, string dealerId)
    {
        var caller = EnsureNotOtherPartner(context, dealerId);
        var dealer = await context.Grain<IDealerGrain>(dealerId).GetAsync();
        if (dealer is not null) Access.EnsureCanSee(caller, dealer.Region, Role.Dealer, dealer.Id);
        return dealer;
    }

    /// <summary>The dealer must exist and be visible to the caller.</summary>
    public static async Task EnsureExistsAsync(IResolveFieldContext context, string dealerId) => await RegionAsync(context, dealerId);

    /// <summary>
    /// A subscription's event of the dealer as it is now, if the caller may still see it: a MANAGER's dealer moved out
    /// of its region is refused from then on, as a query would be (rule 19).
    /// </summary>
    public static DealerView StillVisible(IResolveFieldContext context, DealerView dealer)
    {
        Access.EnsureCanSee(context.Caller(), dealer.Region, Role.Dealer, dealer.Id);
        return dealer;
    }

    /// <summary>
    /// <see cref="StillVisible"/> for an event of one of the dealer's records, which does not carry the dealer's region.
    /// Only a MANAGER's sight of a dealer can change (a dealer always sees itself, an ADMIN its whole tenant), so only a
    /// MANAGER's event reads it.
    /// </summary>
    public static async Task EnsureStillVisibleAsync(IResolveFieldContext context, string dealerId)
    {
        if (context.Caller().Role == Role.Manager) await RegionAsync(context, dealerId);
    }

    /// <summary>
    /// The caller may act for the dealer: the dealer itself, an ADMIN, or a MANAGER of its region. Whether the dealer
    /// exists is left to the call this guards for an ADMIN (see the remarks above).
    /// </summary>
    public static async Task EnsureActingForAsync(IResolveFieldContext context, string dealerId)
    {
        if (context.Caller().Role != Role.Admin) await EnsureActingForExistingAsync(context, dealerId);
    }

    /// <summary>The caller may act for the dealer, which exists, whoever the caller is.</summary>
    public static async Task EnsureActingForExistingAsync(IResolveFieldContext context, string dealerId) =>
        EnsureCanActFor(context.Caller(), dealerId, await RegionAsync(context, dealerId));

    /// <summary>
    /// The caller manages the dealer: an ADMIN, or a MANAGER of its region. Whether the dealer exists is left to the
    /// call this guards for an ADMIN (see the remarks above).
    /// </summary>
    public static async Task EnsureManagedAsync(IResolveFieldContext context, string dealerId)
    {
        if (context.Caller().Role != Role.Admin) Access.EnsureCanManage(context.Caller(), await RegionAsync(context, dealerId));
    }

    /// <summary>The dealer, for which the caller may act (see <see cref="EnsureActingForAsync"/>).</summary>
    public static async Task<DealerView> ActingForAsync(IResolveFieldContext context, string dealerId)
    {
        var dealer = await ExistingAsync(context, dealerId);
        EnsureCanActFor(context.Caller(), dealer.Id, dealer.Region);
        return dealer;
    }

    /// <summary>The dealer, which the caller must manage (see <see cref="EnsureManagedAsync"/>).</summary>
    public static async Task<DealerView> ManagedAsync(IResolveFieldContext context, string dealerId)
    {
        var dealer = await ExistingAsync(context, dealerId);
        Access.EnsureCanManage(context.Caller(), dealer.Region);
        return dealer;
    }

    private static async Task<DealerView> ExistingAsync(IResolveFieldContext context, string dealerId) =>
        await VisibleAsync(context, dealerId) ?? throw ChannelException.NotFound($"Dealer {dealerId}");

    /// <summary>The region of the dealer, which must exist and be visible to the caller.</summary>
    private static async Task<string> RegionAsync(IResolveFieldContext context, string dealerId)
    {
        var caller = EnsureNotOtherPartner(context, dealerId);
        var region = await context.Grain<IDealerGrain>(dealerId).GetRegionAsync() ?? throw ChannelException.NotFound($"Dealer {dealerId}");
        Access.EnsureCanSee(caller, region, Role.Dealer, dealerId);
        return region;
    }

    /// <summary>A partner token learns nothing about other dealers, not even whether they exist; an agent's or a rep's about none.</summary>
    private static Caller EnsureNotOtherPartner(IResolveFieldContext context, string dealerId)
    {
        var caller = context.Caller();
        if (caller.Role is Role.Agent or Role.Rep || caller.Role == Role.Dealer && caller.Subject != dealerId)
            throw Access.Forbidden("This record is outside what the token may see.");
        return caller;
    }

    private static void EnsureCanActFor(Caller caller, string dealerId, string region)
    {
        if (caller.Role == Role.Dealer ? caller.Subject != dealerId : !Access.CanManage(caller, region))
            throw Access.Forbidden($"This token may not act for dealer {dealerId}.");
    }
}
