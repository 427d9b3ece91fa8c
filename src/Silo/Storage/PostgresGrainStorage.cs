using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace ChannelGrains.Silo.Storage;

/// <summary>
/// Grain storage on PostgreSQL with group commit: the writes of many grains that arrive while the database is busy
/// go as one statement, so one commit acknowledges them all (table <c>channel_grain_state</c>, migration 0005).
/// </summary>
/// <remarks>
/// <para>Same contract as the ADO.NET provider it replaces for the channel store: the ETag is the row's version; a
/// write or clear succeeds only from the version it names (else <see cref="InconsistentStateException"/> and nothing
/// changes); a cleared state keeps a row with no payload, so versions never restart.</para>
/// <para>Each write is its own row operation inside the batch statement: one grain's conflict does not fail the
/// others. A batch that fails as a whole (the connection drops) fails every write in it, and no grain call that
/// wrote acknowledges anything: the statement commits all of its rows or none. A write completes only after its
/// commit, with <c>synchronous_commit</c> as the server sets it.</para>
/// <para>Reads are batched the same way, which keeps a storm of activations (a silo start, a bulk import) cheap.</para>
/// </remarks>
public sealed partial class PostgresGrainStorage : IGrainStorage, IAsyncDisposable
{
    /// <summary>Statements in flight at once per kind; while they run, the next batches fill.</summary>
    public const int WriteWorkers = 4, ReadWorkers = 2;

    /// <summary>The most rows one statement carries.</summary>
    public const int MaxBatch = 512;

    private readonly string name;
    private readonly string serviceId;
    private readonly NpgsqlDataSource dataSource;
    private readonly IGrainStorageSerializer serializer;
    private readonly IActivatorProvider activators;
    private readonly ILogger logger;
    private readonly CommitQueue<PendingWrite> writes;
    private readonly CommitQueue<PendingRead> reads;
    private long writeStatements, writeRequests;

    /// <summary>Write statements run so far, and the writes they carried: their ratio is the mean batch size.</summary>
    public (long Statements, long Writes) WriteCounts => (Interlocked.Read(ref writeStatements), Interlocked.Read(ref writeRequests));

    public PostgresGrainStorage(string name, string serviceId, string connectionString, IGrainStorageSerializer serializer,
        IActivatorProvider activators, ILogger<PostgresGrainStorage> logger)
    {
        this.name = name;
        this.serviceId = serviceId;
        this.serializer = serializer;
        this.activators = activators;
        this.logger = logger;
        dataSource = NpgsqlDataSource.Create(connectionString);
        writes = new CommitQueue<PendingWrite>($"{name}.write", WriteWorkers, MaxBatch, WriteBatchAsync, logger);
        reads = new CommitQueue<PendingRead>($"{name}.read", ReadWorkers, MaxBatch, ReadBatchAsync, logger);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var read = new PendingRead(grainId.ToString(), stateName);
        reads.Enqueue(read);
        var (payload, version) = await read.Completion.Task;
        grainState.State = payload is null ? NewState<T>() : serializer.Deserialize<T>(new BinaryData(payload)) ?? NewState<T>();
        grainState.ETag = version?.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = payload is not null;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expected = ParseVersion(grainState.ETag);
        var write = new PendingWrite(grainId.ToString(), stateName, ChannelStateSerializer.Payload(serializer.Serialize(grainState.State)), (expected ?? 0) + 1);
        writes.Enqueue(write);
        if (!await write.Completion.Task)
            throw Conflict("write", grainId, stateName, grainState.ETag);
        grainState.ETag = write.NewVersion.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expected = ParseVersion(grainState.ETag);
        if (expected is not null)
        {
            await using var command = dataSource.CreateCommand(ClearSql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.ToString() });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stateName });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = expected.Value });
            if (await command.ExecuteScalarAsync() is not int version)
                throw Conflict("clear", grainId, stateName, grainState.ETag);
            grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        }
        grainState.State = NewState<T>();
        grainState.RecordExists = false;
    }

    private async Task WriteBatchAsync(IReadOnlyList<PendingWrite> batch)
    {
        await using var command = dataSource.CreateCommand(WriteSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = batch.Select(w => w.GrainId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = batch.Select(w => w.StateName).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = batch.Select(w => w.Payload).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = batch.Select(w => w.NewVersion).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        var written = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                written.Add(reader.GetString(0));
        }
        foreach (var write in batch)
            write.Completion.TrySetResult(written.Contains(write.Key));
        Interlocked.Increment(ref writeStatements);
        Interlocked.Add(ref writeRequests, batch.Count);
        LogBatch(logger, name, "write", batch.Count);
    }

    private async Task ReadBatchAsync(IReadOnlyList<PendingRead> batch)
    {
        await using var command = dataSource.CreateCommand(ReadSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = batch.Select(r => r.GrainId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = batch.Select(r => r.StateName).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        var found = new (byte[]? Payload, int? Version)[batch.Count];
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                found[(int)reader.GetInt64(0) - 1] = (reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1), reader.GetInt32(2));
        }
        for (var i = 0; i < batch.Count; i++)
            batch[i].Completion.TrySetResult(found[i]);
        LogBatch(logger, name, "read", batch.Count);
    }

    // Each input row is one write: inserted at version 1 when it expects none, or replacing exactly the version it
    // expects (proposed version - 1). A row that expects a version but is missing is a conflict too (rows are never
    // deleted, so it was never written). RETURNING names the input rows that took effect; the others conflicted.
    private const string WriteSql = """
        INSERT INTO channel_grain_state AS s (service_id, grain_id, state_name, payload, version)
        SELECT $1, w.grain_id, w.state_name, w.payload, w.version
        FROM unnest($2::text[], $3::text[], $4::bytea[], $5::integer[]) AS w(grain_id, state_name, payload, version)
        WHERE w.version = 1
           OR EXISTS (SELECT 1 FROM channel_grain_state e WHERE e.service_id = $1 AND e.grain_id = w.grain_id AND e.state_name = w.state_name)
        ON CONFLICT (service_id, grain_id, state_name) DO UPDATE
            SET payload = excluded.payload, version = excluded.version, modified_at = now()
            WHERE s.version = excluded.version - 1
        RETURNING s.state_name || chr(10) || s.grain_id
        """;

    private const string ReadSql = """
        SELECT r.position, s.payload, s.version
        FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS r(grain_id, state_name, position)
        JOIN channel_grain_state s ON s.service_id = $1 AND s.grain_id = r.grain_id AND s.state_name = r.state_name
        """;

    private const string ClearSql = """
        UPDATE channel_grain_state
        SET payload = NULL, version = version + 1, modified_at = now()
        WHERE service_id = $1 AND grain_id = $2 AND state_name = $3 AND version = $4
        RETURNING version
        """;

    private T NewState<T>() => activators.GetActivator<T>().Create();

    private static int? ParseVersion(string? etag) =>
        string.IsNullOrEmpty(etag) ? null : int.Parse(etag, NumberStyles.None, CultureInfo.InvariantCulture);

    private InconsistentStateException Conflict(string operation, GrainId grainId, string stateName, string? etag) =>
        new($"Version conflict on {operation}: storage {name}, grain {grainId}, state {stateName}, ETag {etag ?? "(none)"}: "
            + "another activation wrote this state since it was read.", etag, "unknown", null);

    public async ValueTask DisposeAsync()
    {
        await writes.DisposeAsync();
        await reads.DisposeAsync();
        await dataSource.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Trace, Message = "Storage {Storage}: {Kind} batch of {Count}")]
    private static partial void LogBatch(ILogger logger, string storage, string kind, int count);

    private sealed class PendingWrite(string grainId, string stateName, byte[] payload, int newVersion) : IQueuedRequest
    {
        public string GrainId { get; } = grainId;
        public string StateName { get; } = stateName;
        public byte[] Payload { get; } = payload;
        public int NewVersion { get; } = newVersion;
        public string Key { get; } = stateName + "\n" + grainId;
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Fail(Exception error) => Completion.TrySetException(error);
    }

    private sealed class PendingRead(string grainId, string stateName) : IQueuedRequest
    {
        public string GrainId { get; } = grainId;
        public string StateName { get; } = stateName;
        public string Key { get; } = stateName + "\n" + grainId;
        public TaskCompletionSource<(byte[]? Payload, int? Version)> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Fail(Exception error) => Completion.TrySetException(error);
    }
}
