using System.Diagnostics;
using Npgsql;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server in a fresh temporary directory, on 127.0.0.1 and a free port, trusting loopback
/// connections. PostgreSQL refuses to run as root, so under root every server command runs as the
/// <c>postgres</c> OS user. Disposing stops the server and deletes the directory.
/// </summary>
internal sealed class LocalPostgresInstance : IAsyncDisposable
{
    private const string BinariesRoot = "/usr/lib/postgresql";
    private const string PreferredVersion = "15";
    private const string ServerUser = "postgres";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    // Runs the server under a watchdog: if the test process dies without disposing (a crash, a killed run), the
    // watchdog sees /proc/<test pid> vanish, stops the server within a second and removes the directory.
    // Arguments: $1 binaries, $2 data dir, $3 socket/log dir, $4 port, $5 test process id.
    private const string Launcher = """
        "$1/postgres" -D "$2" -p "$4" -c listen_addresses=127.0.0.1 -c unix_socket_directories="$3" -c max_connections=200 > "$3/server.log" 2>&1 &
        server=$!
        while [ -d "/proc/$5" ] && kill -0 "$server" 2>/dev/null; do sleep 1; done
        kill -INT "$server" 2>/dev/null
        wait "$server"
        [ -d "/proc/$5" ] || rm -rf "$3"
        """;

    private readonly string binaries;
    private readonly string directory;
    private readonly Process launcher;

    private LocalPostgresInstance(string binaries, string directory, int port, Process launcher)
    {
        this.binaries = binaries;
        this.directory = directory;
        this.launcher = launcher;
        AdminConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = ServerUser,
            Database = "postgres",
            MaxPoolSize = 20,
        }.ConnectionString;
    }

    public string AdminConnectionString { get; }

    private string DataDirectory => Path.Combine(directory, "data");

    private static bool RunningAsRoot => Environment.UserName == "root";

    public static async Task<LocalPostgresInstance> StartAsync()
    {
        var binaries = FindBinaries();
        var directory = Directory.CreateTempSubdirectory("channelgrains-pg-").FullName;
        try
        {
            if (RunningAsRoot)
                await RunAsync("chown", ServerUser, directory);
            await RunAsServerUserAsync(Path.Combine(binaries, "initdb"),
                "-D", Path.Combine(directory, "data"), "-U", ServerUser, "--auth=trust", "--encoding=UTF8", "--locale=C",
                // The directory is deleted at the end, so flushing the fresh cluster to disk would only cost time.
                "--no-sync");
            var port = FreeTcpPort.Next();
            var launcher = StartServerUserProcess("sh", "-c", Launcher, "postgres-launcher", binaries, Path.Combine(directory, "data"), directory,
                port.ToString(), Environment.ProcessId.ToString());
            var instance = new LocalPostgresInstance(binaries, directory, port, launcher);
            try
            {
                await instance.WaitUntilReadyAsync();
            }
            catch
            {
                launcher.Kill(entireProcessTree: true);
                launcher.Dispose();
                throw;
            }
            return instance;
        }
        catch
        {
            TryDeleteDirectory(directory);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Fast shutdown disconnects clients (pooled connections left by silos) instead of waiting for them.
            await RunAsServerUserAsync(Path.Combine(binaries, "pg_ctl"), "-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop");
        }
        finally
        {
            if (!launcher.WaitForExit(TimeSpan.FromSeconds(10)))
                launcher.Kill(entireProcessTree: true);
            launcher.Dispose();
            TryDeleteDirectory(directory);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var probe = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false, Timeout = 2 }.ConnectionString;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (launcher.HasExited)
                throw new InvalidOperationException($"PostgreSQL exited during start-up. Its log:\n{ReadServerLog()}");
            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < ReadyTimeout)
            {
                await Task.Delay(50);
            }
            catch (NpgsqlException error)
            {
                throw new InvalidOperationException($"PostgreSQL did not accept connections within {ReadyTimeout.TotalSeconds} s. Its log:\n{ReadServerLog()}", error);
            }
        }
    }

    private string ReadServerLog()
    {
        var log = Path.Combine(directory, "server.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no log written)";
    }

    private static string FindBinaries()
    {
        var preferred = Path.Combine(BinariesRoot, PreferredVersion, "bin");
        if (File.Exists(Path.Combine(preferred, "initdb")))
            return preferred;
        var any = Directory.Exists(BinariesRoot)
            ? Directory.GetDirectories(BinariesRoot).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        return any ?? throw new InvalidOperationException(
            $"No PostgreSQL server binaries under {BinariesRoot}/*/bin (Debian package postgresql-{PreferredVersion}), " +
            $"and {PostgresServer.ExternalServerVariable} does not name an existing server. The PostgreSQL tests cannot run.");
    }

    private static Task RunAsServerUserAsync(string program, params string[] arguments) =>
        RunAsync(StartServerUserProcess(program, arguments));

    private static Process StartServerUserProcess(string program, params string[] arguments) =>
        RunningAsRoot
            ? StartProcess("runuser", ["-u", ServerUser, "--", program, .. arguments])
            : StartProcess(program, arguments);

    private static Task RunAsync(string program, params string[] arguments) => RunAsync(StartProcess(program, arguments));

    private static async Task RunAsync(Process process)
    {
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
                throw new InvalidOperationException(
                    $"'{process.StartInfo.FileName} {string.Join(' ', process.StartInfo.ArgumentList)}' exited with {process.ExitCode}:\n{await errors}\n{await output}");
        }
    }

    private static Process StartProcess(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        try
        {
            return Process.Start(start)!;
        }
        catch (Exception error)
        {
            throw new InvalidOperationException($"Could not start '{program}' for the test PostgreSQL server: {error.Message}", error);
        }
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp directory; nothing else depends on it.
        }
    }
}
