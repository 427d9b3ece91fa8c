namespace ChannelGrains.Approvals;

/// <summary>What a tenant (one manufacturer) sets for its own channel.</summary>
[GenerateSerializer, Alias("ChannelGrains.TenantSettings")]
public sealed record class TenantSettings(
    [property: Id(0)] decimal? OrderApprovalAbove,
    [property: Id(1)] ApprovalThresholds Thresholds)
{
    public static TenantSettings Default { get; } = new(null, ApprovalThresholds.Default);

    public TenantSettings Validated()
    {
        if (OrderApprovalAbove is { } above) Validate.Money(above, "orderApprovalAbove");
        Validate.Money(Thresholds.ManagerUpTo, "managerApprovesUpTo");
        Validate.Money(Thresholds.SingleAdminUpTo, "singleAdminApprovesUpTo");
        if (Thresholds.SingleAdminUpTo < Thresholds.ManagerUpTo)
            throw ChannelException.Validation("singleAdminApprovesUpTo must not be below managerApprovesUpTo.");
        return this;
    }
}

/// <summary>One tenant's settings (key <c>tenant</c>).</summary>
[Alias("ChannelGrains.ITenantSettingsGrain")]
public interface ITenantSettingsGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<TenantSettings> GetAsync();

    [Alias("Update")] Task<TenantSettings> UpdateAsync(TenantSettings settings);
}

[GenerateSerializer, Alias("ChannelGrains.TenantSettingsState")]
public sealed class TenantSettingsState
{
    [Id(0)] public TenantSettings? Settings { get; set; }
}

public sealed class TenantSettingsGrain(
    [PersistentState("tenant", StorageNames.Channel)] IPersistentState<TenantSettingsState> state,
    TenantSettingsCache cache) : Grain, ITenantSettingsGrain
{
    public Task<TenantSettings> GetAsync() => Task.FromResult(state.State.Settings ?? TenantSettings.Default);

    public async Task<TenantSettings> UpdateAsync(TenantSettings settings)
    {
        state.State.Settings = settings.Validated();
        await state.PersistAsync(this);
        cache.Forget(this.GetPrimaryKeyString());
        return settings;
    }
}
