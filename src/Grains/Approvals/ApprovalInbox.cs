namespace ChannelGrains.Approvals;

[GenerateSerializer, Alias("ChannelGrains.ApprovalInboxEntry")]
public sealed record class ApprovalInboxEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] ApprovalKind Kind,
    [property: Id(2)] string Region,
    [property: Id(3)] ApprovalStatus Status,
    [property: Id(4)] DateTime RequestedAt);

/// <summary>A tenant's approvals by status and region (key <c>tenant</c>), so approvers find what waits for them.</summary>
[Alias("ChannelGrains.IApprovalInboxGrain")]
public interface IApprovalInboxGrain : IGrainWithStringKey
{
    [Alias("Put")] Task PutAsync(ApprovalView approval);

    [Alias("List")] Task<IReadOnlyList<ApprovalInboxEntry>> ListAsync(string? region, ApprovalStatus? status, int first);
}

[GenerateSerializer, Alias("ChannelGrains.ApprovalInboxState")]
public sealed class ApprovalInboxState
{
    [Id(0)] public Dictionary<string, ApprovalInboxEntry> Entries { get; set; } = new(StringComparer.Ordinal);
}

public sealed class ApprovalInboxGrain(
    [PersistentState("approval-inbox", StorageNames.Channel)] IPersistentState<ApprovalInboxState> state) : Grain, IApprovalInboxGrain
{
    public async Task PutAsync(ApprovalView approval)
    {
        var entry = new ApprovalInboxEntry(approval.Id, approval.Request.Kind, approval.Request.Region, approval.Status, approval.RequestedAt);
        if (state.State.Entries.GetValueOrDefault(approval.Id) == entry) return;
        state.State.Entries[approval.Id] = entry;
        await state.PersistAsync(DeactivateOnIdle);
    }

    public Task<IReadOnlyList<ApprovalInboxEntry>> ListAsync(string? region, ApprovalStatus? status, int first) =>
        Task.FromResult<IReadOnlyList<ApprovalInboxEntry>>(state.State.Entries.Values
            .Where(e => (region is null || RegionPath.IsWithin(e.Region, region)) && (status is null || e.Status == status))
            .OrderBy(e => e.RequestedAt).Take(first).ToArray());
}
