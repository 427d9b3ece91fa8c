using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server for the tests: the one named by <c>CHANNELGRAINS_TEST_PG</c> (an admin connection string),
/// or else a throwaway local server started from the machine's PostgreSQL binaries. Each caller gets fresh
/// databases from <see cref="CreateDatabaseAsync"/>. When neither server can be had, start-up throws, so every
/// test that needs PostgreSQL fails with the reason rather than being skipped.
/// </summary>
public sealed class PostgresServer(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string ExternalServerVariable = "CHANNELGRAINS_TEST_PG";

    private readonly ConcurrentBag<string> createdDatabases = [];
    private LocalPostgresInstance? localInstance;
    private string adminConnectionString = "";

    public async Task InitializeAsync()
    {
        var started = Stopwatch.StartNew();
        var external = Environment.GetEnvironmentVariable(ExternalServerVariable);
        if (string.IsNullOrWhiteSpace(external))
        {
            localInstance = await LocalPostgresInstance.StartAsync();
            adminConnectionString = localInstance.AdminConnectionString;
        }
        else
        {
            adminConnectionString = external;
            await EnsureReachableAsync(external);
        }
        // Shown with `dotnet test -- xUnit.DiagnosticMessages=true`.
        diagnostics.OnMessage(new DiagnosticMessage(
            $"PostgreSQL for tests ready in {started.ElapsedMilliseconds} ms ({(localInstance is null ? ExternalServerVariable : "local throwaway server")})."));
    }

    /// <summary>Creates an empty database and returns a connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"channelgrains_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        createdDatabases.Add(name);
        return new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        // Pooled connections left by silos would keep the databases busy.
        NpgsqlConnection.ClearAllPools();
        if (localInstance is not null)
            await localInstance.DisposeAsync();
        else
            await DropCreatedDatabasesAsync();
    }

    private async Task DropCreatedDatabasesAsync()
    {
        if (createdDatabases.IsEmpty)
            return;
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        foreach (var name in createdDatabases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task EnsureReachableAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
        }
        catch (Exception error)
        {
            throw new InvalidOperationException($"{ExternalServerVariable} is set but its server cannot be reached: {error.Message}", error);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}

/// <summary>
/// Tests that start whole Api processes and keep both cores busy for a while (a seeded demo): they run after the
/// others, alone, so that the browser tests' two-second expectations are not measured beside them. Its own server.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyProcessCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL, heavy processes, alone";
}
