namespace ChannelGrains.Approvals;

/// <summary>Rule 11: the chain depends on the amount, each step is decided by someone entitled to it, and every decision is kept.</summary>
public static class ApprovalRules
{
    public static IReadOnlyList<ApproverRole> Chain(ApprovalThresholds thresholds, ApprovalKind kind, decimal amount)
    {
        if (kind == ApprovalKind.DealerAdmission) return [ApproverRole.RegionalManager, ApproverRole.Admin];
        if (amount <= thresholds.ManagerUpTo) return [ApproverRole.RegionalManager];
        if (amount <= thresholds.SingleAdminUpTo) return [ApproverRole.RegionalManager, ApproverRole.Admin];
        return [ApproverRole.RegionalManager, ApproverRole.Admin, ApproverRole.Admin];
    }

    public static void EnsureMayDecide(ApprovalState state, Approver approver)
    {
        if (state.Status != ApprovalStatus.Pending)
            throw new ChannelException(ErrorCodes.InvalidTransition, $"The approval is already {ChannelException.ApiName(state.Status)}.");
        var step = state.Chain[state.History.Count];
        var entitled = approver.IsAdmin || (step == ApproverRole.RegionalManager && RegionPath.IsWithin(state.Request!.Region, approver.Region));
        if (!entitled) throw new ChannelException(ErrorCodes.Forbidden, $"Step {state.History.Count + 1} needs {step} of {state.Request!.Region}.");
        if (state.History.Any(d => d.DecidedBy == approver.Id) || state.Request!.RequestedBy == approver.Id)
            throw new ChannelException(ErrorCodes.Forbidden, "One person decides one step at most, and never their own request.");
    }
}
