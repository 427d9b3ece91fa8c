using Microsoft.Extensions.Logging;

namespace ChannelGrains.Approvals;

[GenerateSerializer, Alias("ChannelGrains.ApprovalInboxEntry")]
public sealed record class ApprovalInboxEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] ApprovalKind Kind,
    [property: Id(2)] string Region,
    [property: Id(3)] ApprovalStatus Status,
    [property: Id(4)] DateTime RequestedAt);

/// <summary>
/// A tenant's approvals by status and region (key <c>tenant</c>), so approvers find what waits for them: every pending
/// approval, oldest first, and the latest <see cref="ApprovalInboxGrain.DecidedKept"/> decisions, newest first. Each
/// approval keeps its whole record, decisions included, in its own grain (<c>approval(id)</c>).
/// </summary>
[Alias("ChannelGrains.IApprovalInboxGrain")]
public interface IApprovalInboxGrain : IGrainWithStringKey
{
    [Alias("Put")] Task PutAsync(ApprovalView approval);

    /// <summary>Pending approvals oldest first; decided ones (among the latest kept) newest first; no status: both, in that order.</summary>
    [Alias("List")] Task<IReadOnlyList<ApprovalInboxEntry>> ListAsync(string? region, ApprovalStatus? status, int first);
}

[GenerateSerializer, Alias("ChannelGrains.ApprovalInboxState")]
public sealed class ApprovalInboxState
{
    /// <summary>The pending approvals by id (earlier versions kept decided ones here too; they move to <see cref="Decided"/> on activation).</summary>
    [Id(0)] public Dictionary<string, ApprovalInboxEntry> Entries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The latest decided approvals, oldest first: in the order decided (those split from an earlier version's inbox, by request time).</summary>
    [Id(1)] public List<ApprovalInboxEntry> Decided { get; set; } = [];
}

/// <remarks>
/// Before, the inbox kept every approval the tenant ever had, and every request and decision wrote them all again:
/// with an approval for one order in ten, a busy tenant's inbox grew by thousands of entries a month, all rewritten on
/// each approval event in this one grain. Now its state is the pending workload and a bounded tail of decisions.
/// </remarks>
public sealed class ApprovalInboxGrain(
    [PersistentState("approval-inbox", StorageNames.Channel)] IPersistentState<ApprovalInboxState> state,
    ILogger<ApprovalInboxGrain> logger) : Grain, IApprovalInboxGrain
{
    public const int DecidedKept = 200;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var decided = state.State.Entries.Values.Where(e => e.Status != ApprovalStatus.Pending).OrderBy(e => e.RequestedAt).ToArray();
        if (decided.Length == 0) return;
        foreach (var entry in decided)
        {
            state.State.Entries.Remove(entry.Id);
            Remember(entry);
        }
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The split is made again on the next activation; a change's own write fails the same way and deactivates.
            logger.LogWarning(e, "Approval inbox {Tenant} could not store its split; it keeps the split in memory", this.GetPrimaryKeyString());
        }
    }

    public async Task PutAsync(ApprovalView approval)
    {
        var entry = new ApprovalInboxEntry(approval.Id, approval.Request.Kind, approval.Request.Region, approval.Status, approval.RequestedAt);
        if (entry.Status == ApprovalStatus.Pending)
        {
            if (state.State.Entries.GetValueOrDefault(approval.Id) == entry) return;
            state.State.Entries[approval.Id] = entry;
        }
        else
        {
            // A decision is final: told again (a retried step), it changes nothing.
            if (!state.State.Entries.Remove(approval.Id) && state.State.Decided.Contains(entry)) return;
            Remember(entry);
        }
        await state.PersistAsync(this);
    }

    private void Remember(ApprovalInboxEntry decided)
    {
        state.State.Decided.RemoveAll(e => e.Id == decided.Id);
        state.State.Decided.Add(decided);
        if (state.State.Decided.Count > DecidedKept) state.State.Decided.RemoveRange(0, state.State.Decided.Count - DecidedKept);
    }

    public Task<IReadOnlyList<ApprovalInboxEntry>> ListAsync(string? region, ApprovalStatus? status, int first)
    {
        var pending = status is null or ApprovalStatus.Pending
            ? state.State.Entries.Values.Where(e => Within(e, region)).OrderBy(e => e.RequestedAt).ThenBy(e => e.Id, StringComparer.Ordinal)
            : Enumerable.Empty<ApprovalInboxEntry>();
        var decided = status is ApprovalStatus.Pending
            ? Enumerable.Empty<ApprovalInboxEntry>()
            : Enumerable.Reverse(state.State.Decided).Where(e => Within(e, region) && (status is null || e.Status == status));
        return Task.FromResult<IReadOnlyList<ApprovalInboxEntry>>(pending.Concat(decided).Take(first).ToArray());
    }

    private static bool Within(ApprovalInboxEntry entry, string? region) => region is null || RegionPath.IsWithin(entry.Region, region);
}
