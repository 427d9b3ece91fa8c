using ChannelGrains.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Core;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace ChannelGrains.Silo.Storage;

/// <summary>
/// Gives the grains of the channel store a <see cref="DirectPersistentState{TState}"/>; the other stores (PubSub) keep
/// Orleans' own.
/// </summary>
public sealed partial class ChannelPersistentStateFactory(ILoggerFactory loggers) : IPersistentStateFactory
{
    private readonly PersistentStateFactory orleans = new();
    private readonly ILogger logger = loggers.CreateLogger<ChannelPersistentStateFactory>();

    public IPersistentState<TState> Create<TState>(IGrainContext context, IPersistentStateConfiguration cfg)
    {
        if (cfg.StorageName != StorageNames.Channel) return orleans.Create<TState>(context, cfg);
        var storage = context.ActivationServices.GetRequiredKeyedService<IGrainStorage>(cfg.StorageName);
        var activator = context.ActivationServices.GetRequiredService<IActivatorProvider>().GetActivator<TState>();
        var turns = context.ActivationServices.GetRequiredService<IGrainContextAccessor>();
        var state = new DirectPersistentState<TState>(cfg.StateName, context, turns, storage, activator.Create(), logger);
        context.ObservableLifecycle.Subscribe($"{nameof(DirectPersistentState<TState>)}.{cfg.StateName}", GrainLifecycleStage.SetupState, state);
        context.ObservableLifecycle.AddMigrationParticipant(state);
        return state;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage {Operation} of state {StateName} of grain {GrainId} failed")]
    internal static partial void LogFailed(ILogger logger, Exception exception, string operation, string stateName, GrainId grainId);
}

/// <summary>
/// A grain's persistent state that calls its storage in the grain's own turn. Orleans' state bridge starts every read,
/// write and clear as a work item of its own, and the grain's await then waits for that item: two more turns of the
/// activation's scheduler, with their tasks and continuations, for a write that the memory store finishes at once.
/// Here a write the store completes at once completes the grain's await at once too.
/// </summary>
/// <remarks>
/// The contract of Orleans' bridge is kept: the state is read at <see cref="GrainLifecycleStage.SetupState"/>, after a
/// yield (see <see cref="ReadOnActivationAsync"/>), unless it came with a migrating activation; operations on one state
/// run one after another in the order they were asked for (an interleaved call may ask while a write awaits the
/// database), each starting once the one before has finished, successfully or not; a failure is logged and reaches the
/// caller, wrapped in an <see cref="OrleansException"/> unless it is one (an <see cref="InconsistentStateException"/>
/// stays as it is, and Orleans drops the activation for it), or a cancellation the caller asked for; a caller's
/// cancellation token reaches the store; an operation asked for outside a turn of the state's grain (code that went on
/// after a <c>ConfigureAwait(false)</c>, or another thread) throws and does nothing.
/// </remarks>
public sealed class DirectPersistentState<TState> : IPersistentState<TState>, ILifecycleObserver, IGrainMigrationParticipant
{
    private readonly string name;
    private readonly IGrainContext owner;
    private readonly IGrainContextAccessor turns;
    private readonly IGrainStorage storage;
    private readonly ILogger logger;
    private readonly GrainState<TState> grainState;
    private Task? pending; // the operation asked last, until it has run: not kept after, as a million grains would keep theirs
    private object? storageRow; // the memory store's row of this state, once written (see ProcessMemoryGrainStorage.WriteState)
    private int issued;
    private bool loaded;

    /// <summary>
    /// A state of the grain <paramref name="owner"/>, <paramref name="initial"/> until read; <paramref name="turns"/>
    /// tells whose turn runs now.
    /// </summary>
    public DirectPersistentState(string name, IGrainContext owner, IGrainContextAccessor turns, IGrainStorage storage, TState initial, ILogger logger)
    {
        this.name = name;
        this.owner = owner;
        this.turns = turns;
        this.storage = storage;
        this.logger = logger;
        grainState = new GrainState<TState>(initial);
    }

    public TState State
    {
        get => grainState.State!;
        set => grainState.State = value;
    }

    public string? Etag
    {
        get => grainState.ETag;
        set => grainState.ETag = value;
    }

    /// <summary>Whether an operation asked for has not finished yet, for tests.</summary>
    internal bool Busy => pending is not null;

    public bool RecordExists => loaded ? grainState.RecordExists : throw new InvalidOperationException("State has not yet been loaded");

    public Task ReadStateAsync() => Enqueue(Operation.Read, CancellationToken.None);

    public Task WriteStateAsync() => Enqueue(Operation.Write, CancellationToken.None);

    public Task ClearStateAsync() => Enqueue(Operation.Clear, CancellationToken.None);

    Task IStorage.ReadStateAsync(CancellationToken cancellationToken) => Enqueue(Operation.Read, cancellationToken);

    Task IStorage.WriteStateAsync(CancellationToken cancellationToken) => Enqueue(Operation.Write, cancellationToken);

    Task IStorage.ClearStateAsync(CancellationToken cancellationToken) => Enqueue(Operation.Clear, cancellationToken);

    Task ILifecycleObserver.OnStart(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.CompletedTask : ReadOnActivationAsync();

    /// <summary>
    /// Reads the state as the activation sets up (unless it came with a migrating activation), after a yield either way.
    /// Orleans starts an activation holding the activation's
    /// lock, and runs it on until its first await that does not complete at once: had the read completed at once, the
    /// grain's <c>OnActivateAsync</c> and its first request would run under that lock, and a grain call from there takes
    /// the callee's lock. Two grains activating at once and calling each other (an aggregate reading its shards, a shard
    /// pushing to that aggregate) then each held its own lock and waited for the other's: the silo stopped. Orleans'
    /// own bridge yields before every operation, so its activations never did this.
    /// </summary>
    private async Task ReadOnActivationAsync()
    {
        await Task.Yield();
        if (!loaded) await ReadStateAsync();
    }

    Task ILifecycleObserver.OnStop(CancellationToken cancellationToken) => Task.CompletedTask;

    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext dehydrationContext) =>
        dehydrationContext.TryAddValue(MigrationKey, grainState);

    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext rehydrationContext)
    {
        if (!rehydrationContext.TryGetValue<GrainState<TState>>(MigrationKey, out var carried) || carried is null) return;
        grainState.State = carried.State;
        grainState.ETag = carried.ETag;
        grainState.RecordExists = carried.RecordExists;
        loaded = true;
    }

    private string MigrationKey => $"state.{name}";

    private enum Operation { Read, Write, Clear }

    /// <summary>Runs the operation now if the one before has finished, else once it has.</summary>
    private Task Enqueue(Operation operation, CancellationToken cancellationToken)
    {
        // As Orleans' bridge: the state is the grain's, and only its turns may touch it.
        if (!ReferenceEquals(turns.GrainContext, owner))
            throw new InvalidOperationException($"Storage {operation} of state {name} of grain {owner.GrainId} was asked for outside a turn of that grain.");
        var ticket = ++issued;
        var task = pending is null ? RunAsync(operation, ticket, cancellationToken) : AfterAsync(pending, operation, ticket, cancellationToken);
        pending = task.IsCompleted ? null : task;
        return task;
    }

    private async Task AfterAsync(Task previous, Operation operation, int ticket, CancellationToken cancellationToken)
    {
        try
        {
            await previous;
        }
        catch
        {
            // The earlier operation's caller has its failure; this one runs regardless, as in Orleans' bridge.
        }
        await RunAsync(operation, ticket, cancellationToken);
    }

    private async Task RunAsync(Operation operation, int ticket, CancellationToken cancellationToken)
    {
        try
        {
            switch (operation)
            {
                case Operation.Read:
                    await storage.ReadStateAsync(name, owner.GrainId, grainState, cancellationToken);
                    loaded = true;
                    break;
                case Operation.Write when storage is ProcessMemoryGrainStorage memory:
                    memory.WriteState(name, owner.GrainId, grainState, ref storageRow);
                    break;
                case Operation.Write:
                    await storage.WriteStateAsync(name, owner.GrainId, grainState, cancellationToken);
                    break;
                default:
                    await storage.ClearStateAsync(name, owner.GrainId, grainState, cancellationToken);
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // asked for by the caller, as in Orleans' bridge: not a storage failure
        }
        catch (Exception exception)
        {
            ChannelPersistentStateFactory.LogFailed(logger, exception, operation.ToString(), name, owner.GrainId);
            if (exception is OrleansException) throw;
            throw new OrleansException($"Storage {operation} of state {name} of grain {owner.GrainId} failed: {exception.Message}", exception);
        }
        finally
        {
            if (ticket == issued) pending = null; // nothing asked since: the next operation may start at once
        }
    }
}
