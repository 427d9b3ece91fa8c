using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ChannelGrains.Silo.Storage;

/// <summary>
/// Brings a PostgreSQL database up to the embedded schema: applies each pending migration in its own transaction
/// and records it in <c>schema_migrations</c>. Safe to run from several processes at once and to run again.
/// </summary>
public sealed class SchemaMigrator(string connectionString, ILogger<SchemaMigrator>? logger = null)
{
    // Any constant shared by every ChannelGrains process works; these bytes spell "ChGrains" so the lock is
    // recognisable in pg_locks.
    private const long AdvisoryLockKey = 0x4368_4772_6169_6E73;

    private readonly ILogger logger = logger ?? NullLogger<SchemaMigrator>.Instance;

    public IReadOnlyList<Migration> Migrations { get; init; } = MigrationCatalog.Embedded;

    /// <summary>Applies the pending migrations and returns them; an up-to-date database returns an empty list.</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(UnpooledAndUntimed(connectionString));
        await connection.OpenAsync(cancellationToken);

        // A session lock serialises migrators across processes. The connection is not pooled, so closing it ends
        // the session and releases the lock even when a migration fails or the wait is cancelled.
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        await ExecuteAsync(connection, null, CreateHistoryTable, cancellationToken);

        var applied = await ReadAppliedChecksumsAsync(connection, cancellationToken);
        RejectEditedMigrations(applied);
        var pending = Migrations.Where(m => !applied.ContainsKey(m.Version)).ToArray();
        foreach (var migration in pending)
            await ApplyAsync(connection, migration, cancellationToken);
        return pending;
    }

    private const string CreateHistoryTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations
        (
            version    integer     NOT NULL PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
        await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name, checksum) VALUES (@version, @name, @checksum)", connection, transaction))
        {
            record.Parameters.AddWithValue("version", migration.Version);
            record.Parameters.AddWithValue("name", migration.Name);
            record.Parameters.AddWithValue("checksum", migration.Checksum);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Applied schema migration {Version:D4}_{Name} in {ElapsedMs} ms", migration.Version, migration.Name, elapsed.ElapsedMilliseconds);
    }

    private static async Task<Dictionary<int, string>> ReadAppliedChecksumsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            applied.Add(reader.GetInt32(0), reader.GetString(1));
        return applied;
    }

    private void RejectEditedMigrations(Dictionary<int, string> applied)
    {
        var edited = Migrations.Where(m => applied.TryGetValue(m.Version, out var checksum) && checksum != m.Checksum).ToArray();
        if (edited.Length > 0)
            throw new InvalidOperationException(
                $"Applied schema migrations were edited afterwards: {string.Join(", ", edited.Select(m => $"{m.Version:D4}_{m.Name}"))}. " +
                "Restore their original text and put the change in a new migration.");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Waiting for another process's migrations, or a long migration, must not hit the 30 s command default;
    // the caller's cancellation token bounds the wait instead.
    private static string UnpooledAndUntimed(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, CommandTimeout = 0 }.ConnectionString;
}
