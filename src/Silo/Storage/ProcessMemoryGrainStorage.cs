using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace ChannelGrains.Silo.Storage;

/// <summary>
/// Grain storage in this process's memory, for the embedded mode and in-process test clusters: the stand-in for the
/// database when there is none. Every silo of the process shares one table per service and store, as they would share
/// a database, so a grain that moves to another silo, or outlives the silo it ran on, reads what was last written.
/// </summary>
/// <remarks>
/// <para>The contract is <see cref="PostgresGrainStorage"/>'s: the ETag is a version; a write or clear succeeds only
/// from the version it names, else <see cref="InconsistentStateException"/> and nothing changes; a cleared state keeps
/// its version. States are kept serialized, in the bytes PostgreSQL would hold, so that what a grain changes in memory
/// after a write never leaks into what is stored, and a state type that does not round-trip fails here first.</para>
/// <para>Orleans' memory storage does the same through ten storage grains: a grain call, a copy of the payload and a
/// reply per write, about half of the cost of a write. Its data also dies with the silo that hosts a storage grain;
/// here it lives until the last silo of the process using the table stops.</para>
/// </remarks>
public sealed class ProcessMemoryGrainStorage : IGrainStorage, IDisposable
{
    private static readonly ConcurrentDictionary<(string ServiceId, string Store), Table> Tables = new();

    private readonly string name;
    private readonly (string ServiceId, string Store) tableKey;
    private readonly Table table;
    private readonly IGrainStorageSerializer serializer;
    private readonly IActivatorProvider activators;
    private bool disposed;

    public ProcessMemoryGrainStorage(string name, string serviceId, IGrainStorageSerializer serializer, IActivatorProvider activators)
    {
        this.name = name;
        this.serializer = serializer;
        this.activators = activators;
        tableKey = (serviceId, name);
        lock (Tables)
        {
            table = Tables.GetOrAdd(tableKey, _ => new Table());
            table.Users++;
        }
    }

    /// <summary>The store <paramref name="name"/> of the silo whose services these are (its service id, serializer and activators).</summary>
    public static ProcessMemoryGrainStorage Create(IServiceProvider services, string name) => new(
        name, services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
        services.GetRequiredService<IGrainStorageSerializer>(), services.GetRequiredService<IActivatorProvider>());

    /// <summary>States held for this service and store, for tests.</summary>
    public int Count => table.Rows.Values.Count(r => r.Length >= 0 || r.Version > 0);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        T? state = default;
        long version = 0;
        var exists = false;
        if (table.Rows.TryGetValue((grainId, stateName), out var row))
        {
            lock (row)
            {
                version = row.Version;
                exists = row.Length >= 0;
                if (exists) state = serializer.Deserialize<T>(new BinaryData(new ReadOnlyMemory<byte>(row.Buffer, 0, row.Length)));
            }
        }
        grainState.State = state ?? NewState<T>();
        grainState.ETag = version == 0 ? null : version.ToString(CultureInfo.InvariantCulture); // 0: a row a failed first write left
        grainState.RecordExists = exists;
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        object? row = null;
        WriteState(stateName, grainId, grainState, ref row);
        return Task.CompletedTask;
    }

    /// <summary>
    /// <see cref="WriteStateAsync"/>, with the state's row held by the caller from one write to the next
    /// (<see cref="DirectPersistentState{TState}"/>): found once, instead of looked up in the table at every write, a
    /// lookup whose keys (the grain id's bytes, the state's name) were out of the cache under load. A row stays in its
    /// table for as long as the table lives, cleared or not.
    /// </summary>
    public void WriteState<T>(string stateName, GrainId grainId, IGrainState<T> grainState, ref object? held)
    {
        var expected = Expected(grainId, stateName, grainState.ETag, "write");
        // A row is added only by a write that expects none, so a refused write leaves nothing behind.
        var row = held as Row ?? (expected == 0
            ? table.Rows.GetOrAdd((grainId, stateName), static _ => new Row())
            : table.Rows.GetValueOrDefault((grainId, stateName)) ?? throw Conflict(grainId, stateName, grainState.ETag, null, "write"));
        held = row;
        var bytes = serializer is ChannelStateSerializer channel
            ? channel.SerializeToScratch(grainState.State)
            : serializer.Serialize(grainState.State).ToMemory().Span;
        long version;
        lock (row)
        {
            if (row.Version != expected) throw Conflict(grainId, stateName, grainState.ETag, row, "write");
            row.Store(bytes);
            version = ++row.Version;
        }
        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (!string.IsNullOrEmpty(grainState.ETag))
        {
            var expected = Expected(grainId, stateName, grainState.ETag, "clear");
            var row = table.Rows.GetValueOrDefault((grainId, stateName));
            if (row is null) throw Conflict(grainId, stateName, grainState.ETag, null, "clear");
            lock (row)
            {
                if (row.Version != expected) throw Conflict(grainId, stateName, grainState.ETag, row, "clear");
                row.Clear();
                grainState.ETag = (++row.Version).ToString(CultureInfo.InvariantCulture);
            }
        }
        grainState.State = NewState<T>();
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <summary>The version an ETag names: none (a state never read from here) is version 0.</summary>
    private long Expected(GrainId grainId, string stateName, string? etag, string operation) =>
        string.IsNullOrEmpty(etag) ? 0
        : long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version
        : throw Conflict(grainId, stateName, etag, null, operation);

    private InconsistentStateException Conflict(GrainId grainId, string stateName, string? etag, Row? row, string operation) =>
        new($"Version conflict on {operation}: storage {name}, grain {grainId}, state {stateName}, ETag {etag ?? "(none)"}: "
            + "another activation wrote this state since it was read.", etag, row?.Version.ToString(CultureInfo.InvariantCulture) ?? "(none)", null);

    private T NewState<T>() => activators.GetActivator<T>().Create();

    public void Dispose()
    {
        lock (Tables)
        {
            if (disposed) return;
            disposed = true;
            if (--table.Users == 0) Tables.TryRemove(tableKey, out _);
        }
    }

    /// <summary>
    /// One stored state: its serialized bytes and its version, changed only under the row's lock. A write copies
    /// into the buffer the row already has when it fits, so a state written again and again does not leave a new
    /// array behind each time: those arrays lived until the grain's next write, long enough to be promoted, and
    /// under load they were most of what every gen0 collection had to copy.
    /// </summary>
    private sealed class Row
    {
        public byte[] Buffer = [];

        /// <summary>The bytes' length in <see cref="Buffer"/>; -1 while there is no state (never written, or cleared).</summary>
        public int Length = -1;

        public long Version;

        public void Store(ReadOnlySpan<byte> bytes)
        {
            // A buffer far larger than the state (it shrank a lot) is given back rather than kept.
            if (bytes.Length > Buffer.Length || Buffer.Length > 2 * bytes.Length + 1024) Buffer = new byte[bytes.Length + bytes.Length / 8];
            bytes.CopyTo(Buffer);
            Length = bytes.Length;
        }

        public void Clear()
        {
            Buffer = [];
            Length = -1;
        }
    }

    private sealed class Table
    {
        public readonly ConcurrentDictionary<(GrainId Grain, string StateName), Row> Rows = new();
        public int Users;
    }
}
