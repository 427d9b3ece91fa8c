using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ChannelGrains.Bench;

/// <summary>
/// A PostgreSQL 15 server for one benchmark run: <c>initdb</c> in a temporary directory, started by <c>pg_ctl</c> as the
/// <c>postgres</c> OS user (the server refuses root) on 127.0.0.1 and a free port; stopped and deleted on dispose.
/// Settings are PostgreSQL's defaults (synchronous commit on) plus the memory a team would give a dedicated server.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private readonly string directory;

    private ThrowawayPostgres(string directory, int port)
    {
        this.directory = directory;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Maximum Pool Size=100;Timeout=30;Command Timeout=600";
    }

    public string ConnectionString { get; }

    /// <summary>The connection string given (option or <c>ConnectionStrings__Channel</c>), else a throwaway server's.</summary>
    public static async Task<(string ConnectionString, ThrowawayPostgres? Server)> ResolveAsync(BenchOptions options)
    {
        var given = options.Text("connection") ?? Environment.GetEnvironmentVariable("ConnectionStrings__Channel");
        if (!string.IsNullOrWhiteSpace(given)) return (given, null);
        var server = await StartAsync();
        return (server.ConnectionString, server);
    }

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("channelgrains-pg-").FullName;
        var port = FreePort();
        var server = new ThrowawayPostgres(directory, port);
        try
        {
            await RunAsync("chown", "postgres", directory);
            await RunAsPostgresAsync("initdb", "-D", Path.Combine(directory, "db"), "--auth=trust", "--no-sync", "-U", "postgres");
            var settings = $"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c max_connections=200 "
                + "-c shared_buffers=1GB -c work_mem=64MB -c maintenance_work_mem=512MB -c max_wal_size=4GB";
            await RunAsPostgresAsync("pg_ctl", "-D", Path.Combine(directory, "db"), "-o", settings, "-l", Path.Combine(directory, "log"), "-w", "start");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(directory, "db", "postmaster.pid")))
            await RunAsPostgresAsync("pg_ctl", "-D", Path.Combine(directory, "db"), "-m", "fast", "-w", "stop");
        Directory.Delete(directory, recursive: true);
    }

    private static Task RunAsPostgresAsync(string tool, params string[] arguments) =>
        RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, tool), .. arguments]);

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
    }

    /// <summary>A loopback port free at the time of asking.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
