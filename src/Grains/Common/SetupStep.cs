namespace ChannelGrains.Common;

/// <summary>
/// A one-off setup step of a tenant (key <c>tenant/step</c>), such as loading the demo channel: whether it finished,
/// so a restarted durable cluster does not run it twice.
/// </summary>
[Alias("ChannelGrains.ISetupStepGrain")]
public interface ISetupStepGrain : IGrainWithStringKey
{
    /// <summary>When the step finished, or null if it never did.</summary>
    [Alias("GetCompleted")] Task<DateTime?> GetCompletedAsync();

    [Alias("Complete")] Task CompleteAsync();
}

[GenerateSerializer, Alias("ChannelGrains.SetupStepState")]
public sealed class SetupStepState
{
    [Id(0)] public DateTime? CompletedAt { get; set; }
}

public sealed class SetupStepGrain([PersistentState("setup-step", StorageNames.Channel)] IPersistentState<SetupStepState> state, TimeProvider clock)
    : Grain, ISetupStepGrain
{
    public Task<DateTime?> GetCompletedAsync() => Task.FromResult(state.State.CompletedAt);

    public async Task CompleteAsync()
    {
        if (state.State.CompletedAt is not null) return;
        state.State.CompletedAt = clock.GetUtcNow().UtcDateTime;
        await state.PersistAsync(this);
    }
}
