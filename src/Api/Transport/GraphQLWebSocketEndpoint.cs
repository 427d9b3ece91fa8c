using ChannelGrains.Api.Auth;
using GraphQL;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Api.Transport;

/// <summary>
/// Accepts WebSocket upgrades at the GraphQL path. A client that does not ask for graphql-transport-ws is
/// accepted and closed with 4406. A bearer header on the upgrade request is read here; connection_init may
/// carry a token instead (browsers cannot set headers on a WebSocket).
/// </summary>
public sealed class GraphQLWebSocketEndpoint(
    OperationExecutor executor,
    IGraphQLTextSerializer serializer,
    TokenService tokens,
    IServiceScopeFactory scopeFactory,
    IOptions<GraphQLTransportOptions> options,
    ILogger<GraphQLWebSocketEndpoint> logger)
{
    internal OperationExecutor Executor => executor;
    internal IGraphQLTextSerializer Serializer => serializer;
    internal TokenService Tokens => tokens;
    internal IServiceScopeFactory ScopeFactory => scopeFactory;
    internal GraphQLTransportOptions Options => options.Value;
    internal ILogger Logger => logger;

    public async Task HandleAsync(HttpContext context)
    {
        var accepted = context.WebSockets.WebSocketRequestedProtocols.Contains(GraphQLWebSocketSession.SubProtocol);
        var authentication = await context.AuthenticateAsync();
        var upgradeUser = authentication.Succeeded && authentication.Principal?.Identity?.IsAuthenticated == true ? authentication.Principal : null;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(accepted ? GraphQLWebSocketSession.SubProtocol : null);
        var session = new GraphQLWebSocketSession(socket, upgradeUser, this, context.RequestAborted);
        await session.RunAsync(accepted);
    }
}
