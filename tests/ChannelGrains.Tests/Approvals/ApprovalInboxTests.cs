using ChannelGrains.Approvals;
using ChannelGrains.Common;
using ChannelGrains.Tests.Infrastructure;
using Orleans.Storage;

namespace ChannelGrains.Tests.Approvals;

/// <summary>The tenant's approval inbox holds the pending workload and the latest decisions, not every approval ever.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ApprovalInboxTests(ClusterFixture fixture)
{
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static ApprovalView View(int i, ApprovalStatus status) =>
        new($"A{i:000}", new ApprovalRequest(ApprovalKind.Order, $"R{i}", i % 2 == 0 ? "CN/East/Shanghai" : "CN/North", 100m, "m", "order"),
            [ApproverRole.RegionalManager], status, [], Start.AddMinutes(i));

    [Fact]
    public async Task Decided_approvals_leave_the_pending_list_and_only_the_latest_200_decisions_are_kept_newest_first()
    {
        var inbox = fixture.Grains.GetGrain<IApprovalInboxGrain>(TestTenant.New());
        for (var i = 0; i < 250; i++) await inbox.PutAsync(View(i, ApprovalStatus.Pending));

        var pending = await inbox.ListAsync(null, ApprovalStatus.Pending, 1_000);
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"A{i:000}"), pending.Select(e => e.Id));
        Assert.Equal(125, (await inbox.ListAsync("CN/East", ApprovalStatus.Pending, 1_000)).Count);

        for (var i = 0; i < 250; i++) await inbox.PutAsync(View(i, i % 5 == 0 ? ApprovalStatus.Rejected : ApprovalStatus.Approved));
        await inbox.PutAsync(View(100, ApprovalStatus.Rejected)); // a decision told again stays where it was

        Assert.Empty(await inbox.ListAsync(null, ApprovalStatus.Pending, 1_000));
        var all = await inbox.ListAsync(null, null, 1_000);
        Assert.Equal(Enumerable.Range(50, 200).Reverse().Select(i => $"A{i:000}"), all.Select(e => e.Id));
        var rejected = await inbox.ListAsync("CN/East", ApprovalStatus.Rejected, 3);
        Assert.Equal(["A240", "A230", "A220"], rejected.Select(e => e.Id));
    }

    [Fact]
    public async Task An_inbox_stored_by_an_earlier_version_with_every_approval_keeps_the_pending_ones_and_the_latest_decisions()
    {
        var tenant = TestTenant.New();
        var inbox = fixture.Grains.GetGrain<IApprovalInboxGrain>(tenant);
        var earlier = new ApprovalInboxState();
        for (var i = 0; i < 300; i++)
        {
            var view = View(i, i % 100 == 7 ? ApprovalStatus.Pending : ApprovalStatus.Approved);
            earlier.Entries[view.Id] = new ApprovalInboxEntry(view.Id, view.Request.Kind, view.Request.Region, view.Status, view.RequestedAt);
        }
        var storage = fixture.ChannelStorage;
        await storage.WriteStateAsync("approval-inbox", inbox.GetGrainId(), new GrainState<ApprovalInboxState>(earlier));

        Assert.Equal(["A007", "A107", "A207"], (await inbox.ListAsync(null, ApprovalStatus.Pending, 10)).Select(e => e.Id));
        var decided = await inbox.ListAsync(null, ApprovalStatus.Approved, 1_000);
        Assert.Equal(Enumerable.Range(98, 202).Where(i => i % 100 != 7).Reverse().Select(i => $"A{i:000}"), decided.Select(e => e.Id));
        Assert.Equal(ApprovalInboxGrain.DecidedKept, decided.Count);
        // The split is stored on activation, without waiting for a change.
        var stored = new GrainState<ApprovalInboxState>();
        await storage.ReadStateAsync("approval-inbox", inbox.GetGrainId(), stored);
        Assert.Equal((3, ApprovalInboxGrain.DecidedKept), (stored.State!.Entries.Count, stored.State.Decided.Count));
    }
}
