using Orleans.Concurrency;
using Orleans.Serialization.Invocation;

namespace ChannelGrains.Approvals;

[MayInterleave(nameof(MayInterleave))]
public sealed class ApprovalGrain(
    [PersistentState("approval", StorageNames.Channel)] IPersistentState<ApprovalState> state,
    IApprovalOutcomes outcomes,
    TimeProvider clock) : Grain, IApprovalGrain
{
    private string Tenant => Keys.Split(this.GetPrimaryKeyString()).Tenant;

    /// <summary>
    /// An order opens its approval (again at each retry of its placement), and a decision asks the order whether it still
    /// waits, then applies its outcome to it. Each grain takes one call at a time, so an order's Open may run while a
    /// decision waits for that order: else the two would wait for each other until Orleans' timeout. Opening an open
    /// approval only reads it (and lists it again in the inbox while it waits); the first Open meets no decision, which
    /// needs an opened approval before it awaits anything.
    /// </summary>
    public static bool MayInterleave(IInvokable request) =>
        request.GetMethodName() == nameof(IApprovalGrain.OpenAsync) && request.GetArgument(0) is ApprovalRequest { Kind: ApprovalKind.Order };

    /// <summary>
    /// The approval as it stands for its subject: a final decision not yet applied is applied first, and one whose order
    /// no longer waits is withdrawn first (a cancel that stopped before withdrawing it, and was not retried). One that
    /// waits is in its dealer's region as it is now.
    /// </summary>
    public async Task<ApprovalView?> GetAsync()
    {
        await WithdrawIfNotAwaitedAsync();
        await FollowDealerAsync();
        return View();
    }

    /// <summary>
    /// Rule 19: a waiting approval belongs to the region its dealer is in now, so that a dealer moved to another region
    /// takes its waiting approvals to that region's managers (the inbox lists them there), and its old region's managers
    /// neither see nor decide them. A decided one stays where it was decided.
    /// </summary>
    public async Task FollowDealerAsync()
    {
        if (state.State.Status != ApprovalStatus.Pending || state.State.Request is not { } request) return;
        if (await outcomes.RegionNowAsync(Tenant, request) is not { } region || region == request.Region) return;
        state.State.Request = request with { Region = region };
        await state.PersistAsync(this);
        await Inbox.PutAsync(View()!);
    }

    public async Task<ApprovalView> OpenAsync(ApprovalRequest request)
    {
        if (state.State.Request is { } opened)
        {
            opened.EnsureAskedAgainBy(request);
            // A first opening that stopped before the inbox listed it (a silo died, the inbox's write failed) is listed by its retry.
            if (state.State.Status == ApprovalStatus.Pending) await Inbox.PutAsync(View()!);
            return View()!;
        }
        var settings = await GrainFactory.GetGrain<ITenantSettingsGrain>(Tenant).GetAsync();
        state.State = new ApprovalState
        {
            Request = request,
            Chain = [.. ApprovalRules.Chain(settings.Thresholds, request.Kind, request.Amount)],
            RequestedAt = clock.GetUtcNow().UtcDateTime,
        };
        await state.PersistAsync(this);
        await Inbox.PutAsync(View()!);
        return View()!;
    }

    public async Task<ApprovalView> DecideAsync(Approver approver, bool approved, string reason, string? requestId = null)
    {
        if (state.State.Request is null)
        {
            DeactivateOnIdle(); // no approval here
            throw ChannelException.NotFound($"Approval {Keys.Split(this.GetPrimaryKeyString()).Id}");
        }
        reason = Validate.Reason(reason, "reason");
        if (requestId is not null) Validate.Id(requestId, "requestId");
        // The subject is asked, not only told: a cancel that stopped before withdrawing this approval leaves it pending.
        // A retry's decision, made and perhaps not applied (its answer lost, its silo died), is applied here too.
        await WithdrawIfNotAwaitedAsync();
        if (requestId is not null && state.State.History.Find(d => d.RequestId == requestId) is { } made)
            return await AnsweredAgainAsync(made, approver, approved, reason);
        await FollowDealerAsync();
        ApprovalRules.EnsureMayDecide(state.State, approver);
        var step = state.State.Chain[state.State.History.Count];
        state.State.History.Add(new ApprovalDecision(state.State.History.Count + 1, step, approver.Id, approved, reason, clock.GetUtcNow().UtcDateTime, requestId));
        if (!approved) state.State.Status = ApprovalStatus.Rejected;
        else if (state.State.History.Count == state.State.Chain.Count) state.State.Status = ApprovalStatus.Approved;
        await state.PersistAsync(this);
        if (state.State.Status == ApprovalStatus.Pending) await Inbox.PutAsync(View()!);
        else await ApplyOutcomeIfDueAsync();
        return View()!;
    }

    /// <summary>Rule 7 for a decision retried with its requestId: the approval as it is, and the inbox told again while it waits.</summary>
    private async Task<ApprovalView> AnsweredAgainAsync(ApprovalDecision made, Approver approver, bool approved, string reason)
    {
        if (made.DecidedBy != approver.Id || made.Approved != approved || made.Reason != reason)
            throw ChannelException.Validation($"requestId {made.RequestId} was already used for another decision on this approval.");
        if (state.State.Status == ApprovalStatus.Pending) await Inbox.PutAsync(View()!);
        return View()!;
    }

    public async Task WithdrawIfNotAwaitedAsync()
    {
        if (state.State.Request is not { } request)
        {
            DeactivateOnIdle(); // no approval here: a cancelled order that never waited for one
            return;
        }
        await ApplyOutcomeIfDueAsync(); // a decision stored but not applied: applied to an order cancelled since, it withdraws
        if (state.State.Status != ApprovalStatus.Pending || await outcomes.AwaitsAsync(Tenant, request)) return;
        await CloseAsWithdrawnAsync();
    }

    /// <summary>The inbox is told before the approval is stored closed: stopped in between, the next read closes it again and tells it again.</summary>
    private async Task CloseAsWithdrawnAsync()
    {
        await Inbox.PutAsync(View()! with { Status = ApprovalStatus.Withdrawn });
        state.State.Status = ApprovalStatus.Withdrawn;
        await state.PersistAsync(this);
    }

    /// <summary>
    /// The final decision is saved first and then applied to its subject, which is idempotent: if the silo dies in
    /// between, the next read or decision applies it. An order cancelled after the decision asked it whether it waits,
    /// before the outcome reached it, is not decided by it: the approval is then WITHDRAWN, its decisions still logged.
    /// The inbox is told before the outcome is stored applied, so that one stopped in between tells it at the next read.
    /// </summary>
    private async Task ApplyOutcomeIfDueAsync()
    {
        if (state.State.Status is not (ApprovalStatus.Approved or ApprovalStatus.Rejected) || state.State.OutcomeApplied) return;
        var decided = await outcomes.ApplyAsync(Tenant, Keys.Split(this.GetPrimaryKeyString()).Id, state.State.Request!, state.State.Status == ApprovalStatus.Approved);
        if (!decided)
        {
            await CloseAsWithdrawnAsync();
            return;
        }
        await Inbox.PutAsync(View()!);
        state.State.OutcomeApplied = true;
        await state.PersistAsync(this);
    }

    private IApprovalInboxGrain Inbox => GrainFactory.GetGrain<IApprovalInboxGrain>(Tenant);

    private ApprovalView? View() => state.State.Request is { } request
        ? new ApprovalView(Keys.Split(this.GetPrimaryKeyString()).Id, request, state.State.Chain, state.State.Status, state.State.History, state.State.RequestedAt)
        : null;
}
