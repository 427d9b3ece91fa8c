using ChannelGrains.Api.Analytics;
using ChannelGrains.Api.Approvals;
using ChannelGrains.Api.Catalog;
using ChannelGrains.Api.Fields;
using ChannelGrains.Api.Ordering;
using ChannelGrains.Api.Partners;
using ChannelGrains.Fields;
using ChannelGrains.Partners;
using GraphQL.Types;

namespace ChannelGrains.Api.Schema;

/// <summary>The served schema; each feature adds its fields to the three roots (see contract/schema.graphql for the names).</summary>
public sealed class ChannelSchema : GraphQL.Types.Schema
{
    public ChannelSchema(IServiceProvider services) : base(services)
    {
        Query = new QueryType();
        Mutation = new MutationType();
        Subscription = new SubscriptionType();
    }
}

public sealed class QueryType : ObjectGraphType
{
    public QueryType()
    {
        Name = "Query";
        this.AddCatalogQueries();
        this.AddDealerQueries();
        this.AddOrderQueries();
        this.AddApprovalQueries();
        this.AddProfileQuery<IAgentGrain, PartnerInfo, AgentType>(PartnerFields.Agent);
        this.AddProfileQuery<IRepGrain, PartnerInfo, RepType>(PartnerFields.Rep);
        this.AddProfileQuery<IStoreGrain, StoreInfo, StoreType>(StoreFields.Kind);
        this.AddAnalyticsQueries();
    }
}

public sealed class MutationType : ObjectGraphType
{
    public MutationType()
    {
        Name = "Mutation";
        this.AddCatalogMutations();
        this.AddDealerMutations();
        this.AddOrderMutations();
        this.AddApprovalMutations();
        this.AddProfileMutations<IAgentGrain, PartnerInfo, AgentType, AgentInputType>(PartnerFields.Agent);
        this.AddProfileMutations<IRepGrain, PartnerInfo, RepType, RepInputType>(PartnerFields.Rep);
        this.AddProfileMutations<IStoreGrain, StoreInfo, StoreType, StoreInputType>(StoreFields.Kind);
    }
}

public sealed class SubscriptionType : ObjectGraphType
{
    public SubscriptionType()
    {
        Name = "Subscription";
        this.AddDealerSubscriptions();
        this.AddOrderSubscriptions();
        this.AddAnalyticsSubscriptions();
    }
}
