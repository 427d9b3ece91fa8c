using Orleans.Concurrency;

namespace ChannelGrains.Approvals;

/// <summary>
/// One approval (key <c>tenant/approvalId</c>): a chain of steps chosen by amount, each approved or rejected with who
/// and why. The final decision is applied to its subject (an order, a special price, a dealer's admission).
/// </summary>
[Alias("ChannelGrains.IApprovalGrain")]
public interface IApprovalGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<ApprovalView?> GetAsync();

    /// <summary>Opens the approval; opening it again with the same request changes nothing.</summary>
    [Alias("Open")] Task<ApprovalView> OpenAsync(ApprovalRequest request);

    /// <summary>
    /// Decides the step that is due; INVALID_TRANSITION, and nothing recorded, once the subject no longer waits for it.
    /// Asked again with the same <paramref name="requestId"/>, the decision is made once and the approval answered as it is.
    /// </summary>
    [Alias("Decide")] Task<ApprovalView> DecideAsync(Approver approver, bool approved, string reason, string? requestId = null);

    /// <summary>A waiting approval takes its dealer's region as it is now (the dealer moved); told without waiting for the answer.</summary>
    [OneWay, Alias("FollowDealer")] Task FollowDealerAsync();

    /// <summary>Closes a pending approval as WITHDRAWN if its subject no longer waits for it (an order cancelled); idempotent.</summary>
    [Alias("WithdrawIfNotAwaited")] Task WithdrawIfNotAwaitedAsync();
}
