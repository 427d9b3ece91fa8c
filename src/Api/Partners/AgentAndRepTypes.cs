using ChannelGrains.Api.Auth;
using ChannelGrains.Api.Schema;
using ChannelGrains.Partners;
using GraphQL.Types;

namespace ChannelGrains.Api.Partners;

public sealed class AgentType : ObjectGraphType<PartnerInfo>
{
    public AgentType()
    {
        Name = "Agent";
        PartnerFields.Add(this);
    }
}

public sealed class RepType : ObjectGraphType<PartnerInfo>
{
    public RepType()
    {
        Name = "Rep";
        PartnerFields.Add(this);
    }
}

public sealed class AgentInputType : InputObjectGraphType<PartnerInfo>
{
    public AgentInputType()
    {
        Name = "AgentInput";
        PartnerFields.Add(this);
    }
}

public sealed class RepInputType : InputObjectGraphType<PartnerInfo>
{
    public RepInputType()
    {
        Name = "RepInput";
        PartnerFields.Add(this);
    }
}

public static class PartnerFields
{
    public static readonly ProfileKind<PartnerInfo> Agent = new("Agent", a => a.Region, Role.Agent, a => [a.Id]);
    public static readonly ProfileKind<PartnerInfo> Rep = new("Rep", r => r.Region, Role.Rep, r => [r.Id]);

    public static void Add(ComplexGraphType<PartnerInfo> type)
    {
        type.Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        type.Field(x => x.Name);
        type.Field(x => x.Region);
    }
}
