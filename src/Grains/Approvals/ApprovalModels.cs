namespace ChannelGrains.Approvals;

public enum ApprovalKind { Order, SpecialPrice, DealerAdmission, Contract, PromotionApplication }

/// <remarks>
/// WITHDRAWN: closed undecided, because its subject no longer waits for it (an order cancelled meanwhile). The contract
/// names no approval status; the word says that nobody decided it, where CANCELLED (the order's) would read as an
/// approver's act.
/// </remarks>
public enum ApprovalStatus { Pending, Approved, Rejected, Withdrawn }

/// <summary>Who may decide a step: the MANAGER of the subject's region (or an ADMIN), or only an ADMIN.</summary>
public enum ApproverRole { RegionalManager, Admin }

/// <param name="RequestedByRole">
/// The role <see cref="RequestedBy"/> requested it in (DEALER, MANAGER, ADMIN): ids are the integrator's own, so a rep
/// may have a dealer's id, and only the requester in its own role reads the approval as its requester. Null in
/// approvals stored before it was kept: those are read by who manages their region.
/// </param>
/// <param name="Terms">
/// What the request itself asks, beyond its subject (a special price's SKU, price, dates and units). Null when the
/// subject is all it asks (an order keeps its own terms), and in approvals stored before terms were kept.
/// </param>
[GenerateSerializer, Alias("ChannelGrains.ApprovalRequest")]
public sealed record class ApprovalRequest(
    [property: Id(0)] ApprovalKind Kind,
    [property: Id(1)] string SubjectId,
    [property: Id(2)] string Region,
    [property: Id(3)] decimal Amount,
    [property: Id(4)] string RequestedBy,
    [property: Id(5)] string Summary,
    [property: Id(6)] string? RequestedByRole = null,
    [property: Id(7)] string? Terms = null)
{
    /// <summary>The role name an order's approval is requested in: its dealer's.</summary>
    public const string DealerRole = "DEALER";

    /// <summary>
    /// Refuses <paramref name="retry"/> unless it asks what this request asked (rule 7: a retry gets the first result):
    /// the same kind, subject, requester and terms. Region, summary and amount are not compared: they are read from
    /// other records when asked (the dealer's region and name, a product's list price), which may change before the
    /// retry. Nor is the requester's role, which approvals stored before it was kept lack; and one stored before terms
    /// were kept has only its subject's own check of them (a dealer compares a special price's SKU, price and dates).
    /// A dealer's admission asks the same whoever asks it: asked again by another, it is the open one.
    /// </summary>
    public void EnsureAskedAgainBy(ApprovalRequest retry)
    {
        var sameRequester = retry.RequestedBy == RequestedBy || Kind == ApprovalKind.DealerAdmission;
        if (retry.Kind != Kind || retry.SubjectId != SubjectId || !sameRequester || (Terms is not null && retry.Terms != Terms))
            throw ChannelException.Validation("This approval was opened for another request.");
    }
}

/// <summary>One step's decision; <see cref="RequestId"/> is the id its client sent, by which a retry is known.</summary>
[GenerateSerializer, Alias("ChannelGrains.ApprovalDecision")]
public sealed record class ApprovalDecision(
    [property: Id(0)] int Step,
    [property: Id(1)] ApproverRole Role,
    [property: Id(2)] string DecidedBy,
    [property: Id(3)] bool Approved,
    [property: Id(4)] string Reason,
    [property: Id(5)] DateTime At,
    [property: Id(6)] string? RequestId = null);

/// <summary>The one deciding now; the engine checks the caller may act in this role for the subject's region.</summary>
[GenerateSerializer, Alias("ChannelGrains.Approver")]
public sealed record class Approver([property: Id(0)] string Id, [property: Id(1)] bool IsAdmin, [property: Id(2)] string Region);

[GenerateSerializer, Alias("ChannelGrains.ApprovalView")]
public sealed record class ApprovalView(
    [property: Id(0)] string Id,
    [property: Id(1)] ApprovalRequest Request,
    [property: Id(2)] IReadOnlyList<ApproverRole> Chain,
    [property: Id(3)] ApprovalStatus Status,
    [property: Id(4)] IReadOnlyList<ApprovalDecision> History,
    [property: Id(5)] DateTime RequestedAt)
{
    public ApproverRole? NextStep => Status == ApprovalStatus.Pending ? Chain[History.Count] : null;
}

[GenerateSerializer, Alias("ChannelGrains.ApprovalState")]
public sealed class ApprovalState
{
    [Id(0)] public ApprovalRequest? Request { get; set; }
    [Id(1)] public List<ApproverRole> Chain { get; set; } = [];
    [Id(2)] public ApprovalStatus Status { get; set; }
    [Id(3)] public List<ApprovalDecision> History { get; set; } = [];
    [Id(4)] public DateTime RequestedAt { get; set; }

    /// <summary>Whether the final decision reached its subject.</summary>
    [Id(5)] public bool OutcomeApplied { get; set; }
}

/// <summary>A tenant's amount thresholds: up to the first one a regional manager decides alone; above it an ADMIN also signs, and above the second a second ADMIN.</summary>
[GenerateSerializer, Alias("ChannelGrains.ApprovalThresholds")]
public sealed record class ApprovalThresholds([property: Id(0)] decimal ManagerUpTo, [property: Id(1)] decimal SingleAdminUpTo)
{
    public static ApprovalThresholds Default { get; } = new(50_000m, 500_000m);
}
