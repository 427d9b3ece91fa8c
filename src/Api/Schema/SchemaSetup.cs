using ChannelGrains.Api.Subscriptions;
using ChannelGrains.Api.Transport;
using ChannelGrains.Partners;
using GraphQL;
using GraphQL.Types;

namespace ChannelGrains.Api.Schema;

public static class SchemaSetup
{
    public static IServiceCollection AddChannelSchema(this IServiceCollection services)
    {
        services.AddSingleton<ChangeHub>();
        services.AddSingleton<DealerRegistry>();
        services.AddSingleton<DecimalGraphType, ExactDecimalGraphType>(); // the contract's Decimal, wherever a field names it
        services.AddGraphQL(graphql => graphql
            .AddSchema<ChannelSchema>()
            .AddGraphTypes(typeof(ChannelSchema).Assembly)
            .AddSystemTextJson()
            .AddErrorInfoProvider<TransportErrorInfoProvider>()
            .AddUnhandledExceptionHandler(DomainErrors.Handle));
        return services;
    }
}
