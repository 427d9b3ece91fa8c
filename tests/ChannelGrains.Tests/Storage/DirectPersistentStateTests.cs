using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using ChannelGrains.Common;
using ChannelGrains.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Core;
using Orleans.Storage;

namespace ChannelGrains.Tests.Storage;

/// <summary>
/// The channel store's grain states call the store in the grain's own turn, and keep the contract of Orleans' state
/// bridge: one operation at a time per state, in the order asked, whatever became of the one before.
/// </summary>
public sealed class DirectPersistentStateTests
{
    private static readonly GrainId Grain = GrainId.Create("probe", "direct");

    [Fact]
    public void A_write_the_store_finishes_at_once_finishes_the_grains_await_at_once()
    {
        var store = new GatedStorage { Synchronous = true };
        var state = NewState(store);

        state.State = new ProbeState { Text = "v1" };
        var write = state.WriteStateAsync();

        Assert.True(write.IsCompletedSuccessfully);
        Assert.False(state.Busy); // nor is it kept: a million idle grains would each hold one
        Assert.Equal(("1", "v1"), (state.Etag, store.Stored?.Text));
    }

    [Fact]
    public async Task The_read_as_an_activation_sets_up_yields_even_when_the_store_answers_at_once()
    {
        // Orleans holds the activation's lock until the activation first yields: a read that completed at once let the
        // grain call other grains under that lock, and two grains activating into each other deadlocked the silo.
        var store = new GatedStorage { Synchronous = true };
        await AssertActivationYieldsAsync(NewState(store), store, expectRead: true);

        // So does one that came with a migrating activation, which reads nothing.
        var carried = new MigrationContext();
        ((IGrainMigrationParticipant)NewState(store)).OnDehydrate(carried);
        var migrated = NewState(store);
        ((IGrainMigrationParticipant)migrated).OnRehydrate(carried);
        await AssertActivationYieldsAsync(migrated, store, expectRead: false);
    }

    [Fact]
    public async Task A_callers_cancellation_reaches_the_store_and_comes_back_as_a_cancellation()
    {
        var store = new GatedStorage { Synchronous = true };
        var state = NewState(store);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ((IStorage)state).WriteStateAsync(new CancellationToken(canceled: true)));

        Assert.Null(store.Stored);
        await ((IStorage)state).WriteStateAsync(CancellationToken.None);
        Assert.NotNull(store.Stored);
    }

    [Fact]
    public async Task Operations_run_one_after_another_in_the_order_asked_even_after_a_failure()
    {
        var store = new GatedStorage();
        var state = NewState(store);

        var first = state.WriteStateAsync();
        var second = state.WriteStateAsync();
        var read = state.ReadStateAsync();
        Assert.Equal(["Write"], store.Started.ToArray());

        store.Finish(0, new IOException("connection lost"));
        var failure = await Assert.ThrowsAsync<OrleansException>(() => first);
        Assert.IsType<IOException>(failure.InnerException);
        await WaitUntil(() => store.Started.Count == 2);
        Assert.False(second.IsCompleted);

        store.Finish(1);
        await second;
        await WaitUntil(() => store.Started.Count == 3);
        Assert.False(read.IsCompleted);
        Assert.True(state.Busy);
        store.Finish(2);
        await read;

        Assert.Equal(["Write", "Write", "Read"], store.Started.ToArray());
        Assert.False(state.Busy); // a finished operation is not kept: a million idle grains would each hold one
    }

    [Fact]
    public async Task An_operation_asked_for_outside_the_grains_turn_throws_and_does_nothing()
    {
        var store = new GatedStorage { Synchronous = true };
        var turns = new Turns();
        var state = NewState(store, turns);
        state.State = new ProbeState { Text = "v1" };

        foreach (var other in new[] { null, DispatchProxy.Create<IGrainContext, ProbeContext>() })
        {
            turns.Current = other; // no grain's turn (a thread-pool thread), or another grain's
            await Assert.ThrowsAsync<InvalidOperationException>(() => state.WriteStateAsync());
            await Assert.ThrowsAsync<InvalidOperationException>(() => state.ReadStateAsync());
            await Assert.ThrowsAsync<InvalidOperationException>(() => state.ClearStateAsync());
        }
        Assert.Empty(store.Started);
        Assert.False(state.Busy);

        turns.Current = Owner;
        await state.WriteStateAsync();
        Assert.Equal(("1", "v1"), (state.Etag, store.Stored?.Text));
    }

    [Fact]
    public async Task A_version_conflict_reaches_the_caller_unwrapped_as_a_faulted_task()
    {
        var store = new GatedStorage { Synchronous = true, Conflict = true };
        var state = NewState(store);

        var write = state.WriteStateAsync(); // the store throws at once: the caller still gets a faulted task

        await Assert.ThrowsAsync<InconsistentStateException>(() => write);
    }

    [Fact]
    public async Task Whether_the_record_exists_is_known_once_read_and_a_migrated_state_is_not_read_again()
    {
        var store = new GatedStorage { Synchronous = true };
        var before = NewState(store);
        Assert.Throws<InvalidOperationException>(() => before.RecordExists);
        await ((ILifecycleObserver)before).OnStart(CancellationToken.None);
        Assert.False(before.RecordExists);
        before.State = new ProbeState { Text = "moved" };
        await before.WriteStateAsync();

        var carried = new MigrationContext();
        ((IGrainMigrationParticipant)before).OnDehydrate(carried);
        var after = NewState(store);
        ((IGrainMigrationParticipant)after).OnRehydrate(carried);
        await ((ILifecycleObserver)after).OnStart(CancellationToken.None);

        Assert.Equal(["Read", "Write"], store.Started.ToArray());
        Assert.Equal(("moved", "1", true), (after.State.Text, after.Etag, after.RecordExists));
    }

    [Fact]
    public async Task A_silo_gives_the_channel_store_direct_states()
    {
        await using var silo = await ChannelSilo.StartAsync(connectionString: null, "direct-states");
        Assert.IsType<ChannelPersistentStateFactory>(silo.Services.GetRequiredService<IPersistentStateFactory>());

        var probe = silo.Grains.GetGrain<IStateProbeGrain>("direct");
        await probe.SaveAsync("one");
        await probe.SaveAsync("two");

        var stored = new GrainState<ProbeState>();
        await silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel)
            .ReadStateAsync("probe", probe.GetGrainId(), stored);
        Assert.Equal(new ProbeState { Text = "two", Saves = 2 }, stored.State);

        // Off the grain's turn, the write is refused and nothing is stored.
        await Assert.ThrowsAsync<InvalidOperationException>(() => probe.SaveOffTurnAsync("three"));
        await silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel)
            .ReadStateAsync("probe", probe.GetGrainId(), stored);
        Assert.Equal(new ProbeState { Text = "two", Saves = 2 }, stored.State);
    }

    [Fact]
    public async Task Grains_that_call_each_other_as_they_activate_all_activate()
    {
        var silo = await ChannelSilo.StartAsync(connectionString: null, "direct-activation");
        var rounds = Task.Run(async () =>
        {
            for (var round = 0; round < 5; round++)
            {
                var keys = Enumerable.Range(0, 200).SelectMany(i => new[] { $"r{round}p{i}/a", $"r{round}p{i}/b" });
                await Task.WhenAll(keys.Select(key => Task.Run(() => silo.Grains.GetGrain<IActivationCallProbeGrain>(key).PingAsync())));
            }
        });

        // A deadlocked silo never answers them (Orleans' 30 s response timeout does not free it) nor stops: it is left as it is.
        if (await Task.WhenAny(rounds, Task.Delay(TimeSpan.FromSeconds(60))) != rounds)
            Assert.Fail("The silo stopped answering while grains activated into each other (a deadlock).");
        await rounds;
        await silo.DisposeAsync();
    }

    private static DirectPersistentState<ProbeState> NewState(IGrainStorage store, Turns? turns = null) =>
        new("probe", Owner, turns ?? new Turns(), store, new ProbeState(), NullLogger.Instance);

    /// <summary>The grain the states belong to: only its id is asked for.</summary>
    private static readonly IGrainContext Owner = DispatchProxy.Create<IGrainContext, ProbeContext>();

    /// <summary>A stand-in for a grain's context that answers its id and nothing else (public: the proxy derives from it).</summary>
    public class ProbeContext : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == "get_GrainId" ? Grain : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>Whose turn runs now: the probe grain's unless the test says otherwise.</summary>
    private sealed class Turns : IGrainContextAccessor
    {
        public IGrainContext? Current { get; set; } = Owner;

        public IGrainContext GrainContext => Current!;
    }

    /// <summary>Starts the state's activation on a scheduler of its own: its first turn must end before the state is set up.</summary>
    private static async Task AssertActivationYieldsAsync(DirectPersistentState<ProbeState> state, GatedStorage store, bool expectRead)
    {
        var reads = store.Started.Count(s => s == "Read");
        var activation = new TurnScheduler(); // as an activation's scheduler: work it is given runs when the test says
        Task setup = Task.CompletedTask;
        _ = Task.Factory.StartNew(() => setup = ((ILifecycleObserver)state).OnStart(CancellationToken.None),
            CancellationToken.None, TaskCreationOptions.None, activation);

        activation.RunNext(); // the turn that starts the activation
        Assert.False(setup.IsCompleted);
        Assert.Equal(reads, store.Started.Count(s => s == "Read"));

        activation.RunAll();
        await setup;
        Assert.False(state.RecordExists); // known (no throw): read, or carried with the migration
        Assert.Equal(reads + (expectRead ? 1 : 0), store.Started.Count(s => s == "Read"));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }

    /// <summary>A store whose operations finish when the test says (or at once), recording the order they started in.</summary>
    private sealed class GatedStorage : IGrainStorage
    {
        private readonly List<TaskCompletionSource> gates = [];
        private long version;

        public bool Synchronous { get; init; }
        public bool Conflict { get; init; }
        public System.Collections.Concurrent.ConcurrentQueue<string> Started { get; } = new();
        public ProbeState? Stored { get; private set; }

        public void Finish(int operation, Exception? failure = null)
        {
            TaskCompletionSource gate;
            lock (gates) gate = gates[operation];
            if (failure is null) gate.SetResult();
            else gate.SetException(failure);
        }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            Run("Read", () =>
            {
                if (Stored is null) return;
                grainState.State = (T)(object)Stored;
                grainState.ETag = version.ToString();
                grainState.RecordExists = true;
            });

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
            cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : WriteStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (Conflict) throw new InconsistentStateException("stale", grainState.ETag, "9");
            return Run("Write", () =>
            {
                Stored = (ProbeState)(object)grainState.State!;
                grainState.ETag = (++version).ToString();
                grainState.RecordExists = true;
            });
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Run("Clear", () => Stored = null);

        private Task Run(string operation, Action complete)
        {
            if (Synchronous)
            {
                Started.Enqueue(operation);
                complete();
                return Task.CompletedTask;
            }
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (gates) gates.Add(gate);
            Started.Enqueue(operation); // after its gate, so a test that sees it started can finish it
            return gate.Task.ContinueWith(t =>
            {
                t.GetAwaiter().GetResult();
                complete();
            }, TaskScheduler.Default);
        }
    }

    /// <summary>Runs the tasks queued to it one at a time, when told, on the caller's thread and with no synchronization context.</summary>
    private sealed class TurnScheduler : TaskScheduler
    {
        private readonly Queue<Task> queued = new();

        public void RunNext()
        {
            var task = queued.Dequeue();
            var context = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(null);
            try { TryExecuteTask(task); }
            finally { SynchronizationContext.SetSynchronizationContext(context); }
        }

        public void RunAll()
        {
            while (queued.Count > 0) RunNext();
        }

        protected override void QueueTask(Task task) => queued.Enqueue(task);

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task> GetScheduledTasks() => queued;
    }

    private sealed class MigrationContext : IDehydrationContext, IRehydrationContext
    {
        private readonly Dictionary<string, object?> values = [];

        public IEnumerable<string> Keys => values.Keys;

        public void AddBytes(string key, ReadOnlySpan<byte> value) => values[key] = value.ToArray();

        public void AddBytes<T>(string key, Action<T, System.Buffers.IBufferWriter<byte>> valueWriter, T value) => throw new NotSupportedException();

        public bool TryAddValue<T>(string key, T? value) => values.TryAdd(key, value);

        public bool TryGetBytes(string key, out System.Buffers.ReadOnlySequence<byte> value)
        {
            value = default;
            return false;
        }

        public bool TryGetValue<T>(string key, [NotNullWhen(true)] out T? value)
        {
            var found = values.TryGetValue(key, out var held) && held is T;
            value = found ? (T)held! : default;
            return found;
        }
    }
}
