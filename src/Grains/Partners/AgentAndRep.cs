namespace ChannelGrains.Partners;

/// <summary>An agent (代理商) or a field rep (外勤): who they are and the region they work.</summary>
[GenerateSerializer, Alias("ChannelGrains.PartnerInfo")]
public sealed record class PartnerInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Region) : IProfile<PartnerInfo>
{
    public PartnerInfo Validated() => new(Validate.Id(Id, "id"), Validate.Name(Name, "name"), Validate.Region(Region));
}

/// <summary>One agent of one tenant (key <c>tenant/agentId</c>).</summary>
[Alias("ChannelGrains.IAgentGrain")]
public interface IAgentGrain : IProfileGrain<PartnerInfo>;

public sealed class AgentGrain([PersistentState("agent", StorageNames.Channel)] IPersistentState<ProfileState<PartnerInfo>> state)
    : ProfileGrain<PartnerInfo>(state), IAgentGrain;

/// <summary>One field rep of one tenant (key <c>tenant/repId</c>).</summary>
[Alias("ChannelGrains.IRepGrain")]
public interface IRepGrain : IProfileGrain<PartnerInfo>;

public sealed class RepGrain([PersistentState("rep", StorageNames.Channel)] IPersistentState<ProfileState<PartnerInfo>> state)
    : ProfileGrain<PartnerInfo>(state), IRepGrain;
