using ChannelGrains.Common;

namespace ChannelGrains.Tests.Storage;

[GenerateSerializer, Alias("ChannelGrains.Tests.Storage.ProbeState")]
public sealed record class ProbeState
{
    [Id(0)] public string Text { get; init; } = "";
    [Id(1)] public int Saves { get; init; }
}

/// <summary>A test-only grain whose state goes through the configured grain storage.</summary>
[Alias("ChannelGrains.Tests.Storage.IStateProbeGrain")]
public interface IStateProbeGrain : IGrainWithStringKey
{
    [Alias("Save")] Task SaveAsync(string text);

    [Alias("Read")] Task<ProbeState> ReadAsync();

    /// <summary>Saves from a thread-pool thread, off the grain's turn (as code after a <c>ConfigureAwait(false)</c> runs).</summary>
    [Alias("SaveOffTurn")] Task SaveOffTurnAsync(string text);
}

public sealed class StateProbeGrain([PersistentState("probe", StorageNames.Channel)] IPersistentState<ProbeState> state)
    : Grain, IStateProbeGrain
{
    public async Task SaveAsync(string text)
    {
        state.State = state.State with { Text = text, Saves = state.State.Saves + 1 };
        await state.WriteStateAsync();
    }

    public Task<ProbeState> ReadAsync() => Task.FromResult(state.State);

    public Task SaveOffTurnAsync(string text) => Task.Run(() =>
    {
        state.State = state.State with { Text = text, Saves = state.State.Saves + 1 };
        return state.WriteStateAsync();
    });
}

/// <summary>A test-only grain that registers reminders through the configured reminder service.</summary>
[Alias("ChannelGrains.Tests.Storage.IReminderProbeGrain")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    [Alias("Register")] Task RegisterAsync(string name);

    [Alias("Names")] Task<string[]> NamesAsync();

    [Alias("Unregister")] Task UnregisterAsync(string name);
}

public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    // Long enough that no tick fires during a test; the tests are about the rows, not the ticks.
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(10);

    public Task RegisterAsync(string name) => this.RegisterOrUpdateReminder(name, Period, Period);

    public async Task<string[]> NamesAsync() => (await this.GetReminders()).Select(r => r.ReminderName).Order().ToArray();

    public async Task UnregisterAsync(string name)
    {
        var reminder = await this.GetReminder(name) ?? throw new InvalidOperationException($"No reminder '{name}'.");
        await this.UnregisterReminder(reminder);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}

/// <summary>
/// A test-only grain with state in the channel store that calls its partner as it activates, without waiting for the
/// answer: two of them activating at once each send to the other while Orleans starts them.
/// </summary>
[Alias("ChannelGrains.Tests.Storage.IActivationCallProbeGrain")]
public interface IActivationCallProbeGrain : IGrainWithStringKey
{
    /// <summary>The saves its state holds (it was read as the grain activated).</summary>
    [Alias("Ping")] Task<int> PingAsync();
}

public sealed class ActivationCallProbeGrain([PersistentState("probe", StorageNames.Channel)] IPersistentState<ProbeState> state)
    : Grain, IActivationCallProbeGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var partner = key.EndsWith("/a", StringComparison.Ordinal) ? key[..^2] + "/b" : key[..^2] + "/a";
        _ = GrainFactory.GetGrain<IActivationCallProbeGrain>(partner).PingAsync();
        return Task.CompletedTask;
    }

    public Task<int> PingAsync() => Task.FromResult(state.State.Saves);
}
