using ChannelGrains.Api.Auth;
using ChannelGrains.Common;
using GraphQL;

namespace ChannelGrains.Api.Schema;

public static class ResolveContextExtensions
{
    /// <summary>The authenticated caller; the transports refuse unauthenticated requests before this point.</summary>
    public static Caller Caller(this IResolveFieldContext context) =>
        (context.UserContext is CallerUserContext known ? known.Caller : Auth.Caller.From(context.User)) ?? throw new ChannelException(ErrorCodes.Unauthenticated, "A valid bearer token is required.");

    public static IGrainFactory Grains(this IResolveFieldContext context) => (context.RequestServices ?? throw new InvalidOperationException("The transport must set RequestServices.")).GetRequiredService<IGrainFactory>();

    public static T Service<T>(this IResolveFieldContext context) where T : notnull => (context.RequestServices ?? throw new InvalidOperationException("The transport must set RequestServices.")).GetRequiredService<T>();

    /// <summary>The grain of the caller's tenant for an id from the request.</summary>
    public static TGrain Grain<TGrain>(this IResolveFieldContext context, string id) where TGrain : IGrainWithStringKey =>
        context.Grains().GetGrain<TGrain>(Keys.Of(context.Caller().Tenant, Validate.Id(id, "id")));
}
