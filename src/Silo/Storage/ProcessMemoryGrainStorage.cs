using System.Collections.Concurrent;
using System.Globalization;
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

    /// <summary>States held for this service and store, for tests.</summary>
    public int Count => table.Rows.Count;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var row = table.Rows.GetValueOrDefault((grainId, stateName));
        grainState.State = row?.Payload is { } payload ? serializer.Deserialize<T>(new BinaryData(payload)) ?? NewState<T>() : NewState<T>();
        grainState.ETag = row?.Version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = row?.Payload is not null;
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var version = Replace(grainId, stateName, grainState.ETag, serializer.Serialize(grainState.State).ToArray(), "write");
        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (!string.IsNullOrEmpty(grainState.ETag))
            grainState.ETag = Replace(grainId, stateName, grainState.ETag, null, "clear").ToString(CultureInfo.InvariantCulture);
        grainState.State = NewState<T>();
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <summary>Stores <paramref name="payload"/> (null: cleared) if the row is at the version <paramref name="etag"/> names; the new version.</summary>
    private long Replace(GrainId grainId, string stateName, string? etag, byte[]? payload, string operation)
    {
        var key = (grainId, stateName);
        var held = table.Rows.GetValueOrDefault(key);
        long expected = 0;
        var known = string.IsNullOrEmpty(etag) || long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out expected);
        var next = new Row(payload, expected + 1);
        // Compare-and-set against the row read: a write that raced with this one since makes TryAdd/TryUpdate fail.
        var stored = known && (held?.Version ?? 0) == expected && (held is null ? table.Rows.TryAdd(key, next) : table.Rows.TryUpdate(key, next, held));
        if (!stored)
            throw new InconsistentStateException($"Version conflict on {operation}: storage {name}, grain {grainId}, state {stateName}, ETag {etag ?? "(none)"}: "
                + "another activation wrote this state since it was read.", etag, table.Rows.GetValueOrDefault(key)?.Version.ToString(CultureInfo.InvariantCulture) ?? "(none)", null);
        return next.Version;
    }

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

    /// <summary>One stored state: its serialized payload (null once cleared) and its version.</summary>
    private sealed record Row(byte[]? Payload, long Version);

    private sealed class Table
    {
        public readonly ConcurrentDictionary<(GrainId Grain, string StateName), Row> Rows = new();
        public int Users;
    }
}
