using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ChannelGrains.Api.Auth;

namespace ChannelGrains.Bench;

/// <summary>
/// A ChannelGrains process (the Api, or a <c>src/Silo</c> silo) started from its Release build output as a child of the
/// benchmark, on free loopback ports, with the benchmark's signing key. Disposing kills it (and only it).
/// </summary>
public sealed class ChildApp : IDisposable
{
    /// <summary>The HS256 key every child is started with, so the benchmark can issue its own tokens (not a secret).</summary>
    public const string SigningKey = "channelgrains-bench-signing-key-0123456789abcdef";

    private readonly Process process;
    private readonly Queue<string> lastLines = new();

    private ChildApp(string project, string assembly, IReadOnlyDictionary<string, string> environment)
    {
        Port = FreePort();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot, "src", project, "bin/Release/net10.0", assembly));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{Port}");
        info.WorkingDirectory = Path.Combine(RepositoryRoot, "src", project);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Auth__SigningKey"] = SigningKey;
        info.Environment["Orleans__SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["Orleans__GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        MallocArenas.SetOn(info);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>CPU time the process has used so far (all its threads).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.HasExited ? TimeSpan.Zero : process.TotalProcessorTime;
        }
    }

    public static Task<ChildApp> StartApiAsync(IReadOnlyDictionary<string, string>? environment = null) =>
        StartAsync("Api", "ChannelGrains.Api.dll", environment ?? new Dictionary<string, string>());

    public static Task<ChildApp> StartSiloAsync(IReadOnlyDictionary<string, string> environment) =>
        StartAsync("Silo", "ChannelGrains.Silo.dll", environment);

    /// <summary>A token for the whole tenant (ADMIN), valid for two hours, signed with <see cref="SigningKey"/>.</summary>
    public static string AdminToken(string tenant) =>
        TokenService.Issue(new AuthOptions(), SigningKey, tenant, Role.Admin, "admin", "CN", TimeSpan.FromHours(2));

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
        process.Dispose();
    }

    private static async Task<ChildApp> StartAsync(string project, string assembly, IReadOnlyDictionary<string, string> environment)
    {
        var app = new ChildApp(project, assembly, environment);
        try
        {
            using var http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
            for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline; await Task.Delay(100))
            {
                if (app.process.HasExited) throw new InvalidOperationException($"{project} exited with {app.process.ExitCode}:\n{app.LastOutput}");
                try
                {
                    if ((await http.GetAsync("healthz")).StatusCode == HttpStatusCode.OK) return app;
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }
            }
            throw new TimeoutException($"{project} did not answer /healthz within 90 s:\n{app.LastOutput}");
        }
        catch
        {
            app.Dispose();
            throw;
        }
    }

    private string LastOutput
    {
        get { lock (lastLines) return string.Join('\n', lastLines); }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (lastLines)
        {
            lastLines.Enqueue(line);
            if (lastLines.Count > 40) lastLines.Dequeue();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ChannelGrains.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Run from within the repository.");
    }
}
