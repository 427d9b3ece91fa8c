using System.Diagnostics;
using Npgsql;

namespace ChannelGrains.Bench;

/// <summary>
/// A PostgreSQL 15 server for one benchmark run: a temporary data directory, 127.0.0.1 and a free port, trust auth.
/// The server refuses to run as root, so under root its commands run as the <c>postgres</c> OS user (runuser).
/// Settings are PostgreSQL's defaults (synchronous commit on) plus the memory a team would give a dedicated server.
/// Disposing stops it (fast) and deletes the directory.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string Binaries = "/usr/lib/postgresql/15/bin";
    private readonly string directory;
    private readonly int port;

    private ThrowawayPostgres(string directory, int port)
    {
        this.directory = directory;
        this.port = port;
    }

    /// <summary>The connection string of a database on this server (the silos migrate their schema into it at start-up).</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={port};Username=postgres;Database={database};Maximum Pool Size=100;Timeout=30;Command Timeout=600";

    /// <summary>The connection string given (<c>--connection</c> or <c>ConnectionStrings__Channel</c>), else a throwaway server's.</summary>
    public static async Task<(string ConnectionString, ThrowawayPostgres? Server)> ResolveAsync(BenchOptions options)
    {
        var given = options.Text("connection") ?? Environment.GetEnvironmentVariable("ConnectionStrings__Channel");
        if (!string.IsNullOrWhiteSpace(given)) return (given, null);
        var server = await StartAsync();
        return (server.ConnectionString(), server);
    }

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("channelgrains-bench-pg-").FullName;
        var server = new ThrowawayPostgres(directory, ChildApp.FreePort());
        try
        {
            if (Environment.UserName == "root") await RunAsync("chown", "postgres", directory);
            await RunAsPostgresAsync("initdb", "-D", server.DataDirectory, "-U", "postgres", "--auth=trust", "--no-sync", "--locale=C", "--encoding=UTF8");
            await RunAsPostgresAsync("pg_ctl", "-D", server.DataDirectory, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "start", "-o",
                $"-c listen_addresses=127.0.0.1 -p {server.port} -k {directory} -c max_connections=300 "
                + "-c shared_buffers=1GB -c work_mem=64MB -c maintenance_work_mem=512MB -c max_wal_size=4GB");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs a benchmark on the database the options ask for: <c>ConnectionStrings__Channel</c> when set; with
    /// <c>--durable</c> a new database on a throwaway server, stopped afterwards; otherwise none (null: in memory).
    /// </summary>
    public static async Task RunAsync(BenchOptions options, string database, Func<string?, Task> benchmark)
    {
        var given = Environment.GetEnvironmentVariable("ConnectionStrings__Channel");
        if (!string.IsNullOrWhiteSpace(given) || !options.Flag("durable"))
        {
            await benchmark(string.IsNullOrWhiteSpace(given) ? null : given);
            return;
        }
        await using var server = await StartAsync();
        await benchmark(await server.CreateDatabaseAsync(database));
    }

    /// <summary>A new empty database, so that runs on the same server do not share grain state.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Directory.Exists(DataDirectory)) await RunAsPostgresAsync("pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop");
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to stop.
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private string DataDirectory => Path.Combine(directory, "data");

    private static Task RunAsPostgresAsync(string program, params string[] arguments) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(Binaries, program), .. arguments])
            : RunAsync(Path.Combine(Binaries, program), arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await errors}{await output}");
    }
}
