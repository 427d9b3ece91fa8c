using ChannelGrains.Approvals;
using GraphQL.Types;

namespace ChannelGrains.Api.Approvals;

public sealed class ApprovalKindType : EnumerationGraphType<ApprovalKind>
{
    public ApprovalKindType() => Name = "ApprovalKind";
}

public sealed class ApprovalStatusType : EnumerationGraphType<ApprovalStatus>
{
    public ApprovalStatusType() => Name = "ApprovalStatus";
}

public sealed class ApproverRoleType : EnumerationGraphType<ApproverRole>
{
    public ApproverRoleType() => Name = "ApproverRole";
}

public sealed class ApprovalDecisionType : ObjectGraphType<ApprovalDecision>
{
    public ApprovalDecisionType()
    {
        Name = "ApprovalDecision";
        Field(x => x.Step);
        Field(x => x.Role, type: typeof(NonNullGraphType<ApproverRoleType>));
        Field(x => x.DecidedBy, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Approved);
        Field(x => x.Reason);
        Field(x => x.At);
    }
}

public sealed class ApprovalType : ObjectGraphType<ApprovalView>
{
    public ApprovalType()
    {
        Name = "Approval";
        Description = "A chain of steps chosen by amount; each step approved or rejected with who and why.";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field("kind", x => x.Request.Kind, type: typeof(NonNullGraphType<ApprovalKindType>));
        Field("subjectId", x => x.Request.SubjectId, type: typeof(NonNullGraphType<IdGraphType>));
        Field("region", x => x.Request.Region);
        Field("amount", x => x.Request.Amount);
        Field("requestedBy", x => x.Request.RequestedBy, type: typeof(NonNullGraphType<IdGraphType>));
        Field("summary", x => x.Request.Summary);
        Field(x => x.RequestedAt);
        Field(x => x.Status, type: typeof(NonNullGraphType<ApprovalStatusType>));
        Field(x => x.Chain, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<ApproverRoleType>>>));
        Field(x => x.NextStep, type: typeof(ApproverRoleType));
        Field(x => x.History, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<ApprovalDecisionType>>>));
    }
}

public sealed class TenantSettingsType : ObjectGraphType<TenantSettings>
{
    public TenantSettingsType()
    {
        Name = "TenantSettings";
        Field(x => x.OrderApprovalAbove, nullable: true).Description("Orders of a higher value wait in PENDING_APPROVAL.");
        Field("managerApprovesUpTo", x => x.Thresholds.ManagerUpTo).Description("Up to this amount a regional manager decides alone.");
        Field("singleAdminApprovesUpTo", x => x.Thresholds.SingleAdminUpTo).Description("Up to this amount one ADMIN signs after the manager; above it two.");
    }
}

public sealed record TenantSettingsInput(decimal? OrderApprovalAbove, decimal ManagerApprovesUpTo, decimal SingleAdminApprovesUpTo)
{
    public TenantSettings ToSettings() => new(OrderApprovalAbove, new ApprovalThresholds(ManagerApprovesUpTo, SingleAdminApprovesUpTo));
}

public sealed class TenantSettingsInputType : InputObjectGraphType<TenantSettingsInput>
{
    public TenantSettingsInputType()
    {
        Name = "TenantSettingsInput";
        Field(x => x.OrderApprovalAbove, nullable: true);
        Field(x => x.ManagerApprovesUpTo);
        Field(x => x.SingleAdminApprovesUpTo);
    }
}

public sealed record SpecialPriceInput(string RequestId, string DealerId, string Sku, decimal Price, DateTime ValidFrom, DateTime ValidTo, int? ExpectedQuantity);

public sealed class SpecialPriceInputType : InputObjectGraphType<SpecialPriceInput>
{
    public SpecialPriceInputType()
    {
        Name = "SpecialPriceInput";
        Field(x => x.RequestId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.DealerId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Price);
        Field(x => x.ValidFrom);
        Field(x => x.ValidTo);
        Field(x => x.ExpectedQuantity, nullable: true).Description("Units the price is asked for; with the discount it sets the amount the approval chain is chosen by (default 1).");
    }
}
