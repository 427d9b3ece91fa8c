using Orleans.Storage;

namespace ChannelGrains.Bench;

/// <summary>
/// A grain storage that keeps nothing: reads find no state, writes are accepted and dropped. Only for measuring what
/// grain activations cost without the copy of each state that memory storage holds.
/// </summary>
public sealed class NullGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        grainState.ETag = "0";
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
    }
}
