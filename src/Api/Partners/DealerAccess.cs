using ChannelGrains.Api.Auth;
using ChannelGrains.Api.Schema;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using GraphQL;

namespace ChannelGrains.Api.Partners;

/// <summary>Rule 19 for a dealer and what belongs to it (its orders, stock, sell-out, quota).</summary>
public static class DealerAccess
{
    /// <summary>The dealer if the caller may see it; null if it does not exist (and the caller could have seen it).</summary>
    public static async Task<DealerView?> VisibleAsync(IResolveFieldContext context, string dealerId)
    {
        var caller = context.Caller();
        // A partner token learns nothing about other dealers, not even whether they exist.
        if (caller.Role is Role.Dealer or Role.Agent or Role.Rep && caller.Subject != dealerId)
            throw Access.Forbidden("This record is outside what the token may see.");
        var dealer = await context.Grain<IDealerGrain>(dealerId).GetAsync();
        if (dealer is not null) Access.EnsureCanSee(caller, dealer.Region, dealer.Id);
        return dealer;
    }

    /// <summary>The dealer, which must exist and be visible to the caller.</summary>
    public static async Task<DealerView> ExistingAsync(IResolveFieldContext context, string dealerId) =>
        await VisibleAsync(context, dealerId) ?? throw ChannelException.NotFound($"Dealer {dealerId}");

    /// <summary>The dealer, for which the caller may act: the dealer itself, an ADMIN, or a MANAGER of its region.</summary>
    public static async Task<DealerView> ActingForAsync(IResolveFieldContext context, string dealerId)
    {
        var caller = context.Caller();
        var dealer = await ExistingAsync(context, dealerId);
        if (caller.Role == Role.Dealer ? caller.Subject != dealer.Id : !Access.CanManage(caller, dealer.Region))
            throw Access.Forbidden($"This token may not act for dealer {dealerId}.");
        return dealer;
    }

    /// <summary>The dealer, which the caller must manage: an ADMIN, or a MANAGER of its region.</summary>
    public static async Task<DealerView> ManagedAsync(IResolveFieldContext context, string dealerId)
    {
        var dealer = await ExistingAsync(context, dealerId);
        Access.EnsureCanManage(context.Caller(), dealer.Region);
        return dealer;
    }
}
