using GraphQL.Execution;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Api.Transport;

/// <summary>
/// The two GraphQL transports at one path: GraphQL over HTTP and graphql-transport-ws. They resolve ISchema,
/// IDocumentExecuter and IGraphQLTextSerializer from DI; the application registers those itself, e.g.
/// <c>services.AddGraphQL(b => b.AddSchema&lt;AppSchema&gt;().AddSystemTextJson())</c>.
/// </summary>
public static class TransportSetup
{
    public static IServiceCollection AddGraphQLTransports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GraphQLTransportOptions>()
            .Bind(configuration.GetSection(GraphQLTransportOptions.Section))
            .Validate(o => !o.Problems().Any(), "GraphQL transport options are invalid: check the GraphQL configuration section.")
            .ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GraphQLTransportOptions>>().Value;
            return new DocumentCache(options.DocumentCacheSize, options.MaxCachedQueryLength);
        });
        services.TryAddSingleton<OperationExecutor>();
        services.TryAddSingleton<GraphQLHttpEndpoint>();
        services.TryAddSingleton<GraphQLWebSocketEndpoint>();

        // Codes, never exception details: replace GraphQL.NET's default error writer, keep one the app chose.
        services.RemoveAll<IErrorInfoProvider>(d => d.ImplementationType == typeof(ErrorInfoProvider));
        services.TryAddSingleton<IErrorInfoProvider, TransportErrorInfoProvider>();

        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, WebSocketStartupFilter>());
        return services;
    }

    /// <summary>Serves GraphQL over HTTP (GET, POST) and graphql-transport-ws (WebSocket upgrade) at <paramref name="path"/>.</summary>
    public static IEndpointConventionBuilder MapGraphQLTransports(this IEndpointRouteBuilder endpoints, string path = "/graphql")
    {
        var http = endpoints.ServiceProvider.GetRequiredService<GraphQLHttpEndpoint>();
        var webSocket = endpoints.ServiceProvider.GetRequiredService<GraphQLWebSocketEndpoint>();
        return endpoints.Map(path, context => context.WebSockets.IsWebSocketRequest ? webSocket.HandleAsync(context) : http.HandleAsync(context))
            .WithDisplayName("GraphQL transports");
    }

    private static void RemoveAll<T>(this IServiceCollection services, Func<ServiceDescriptor, bool> match)
    {
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(T) && match(d)).ToList())
            services.Remove(descriptor);
    }

    /// <summary>Puts the WebSocket middleware at the front of the pipeline, so the app need not remember UseWebSockets.</summary>
    private sealed class WebSocketStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseWebSockets();
            next(app);
        };
    }
}
