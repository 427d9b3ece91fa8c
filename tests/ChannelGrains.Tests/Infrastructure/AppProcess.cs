using System.Diagnostics;
using System.Net;
using System.Text;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>
/// A real ChannelGrains process (the Api or a cluster silo) started from its build output, for the tests that stop
/// whole processes: durable restarts and multi-silo clusters on loopback.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private AppProcess(string project, string assembly, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> arguments, int httpPort)
    {
        HttpPort = httpPort;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(RepositoryRoot, "src", project),
        };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot, "src", project, "bin", BuildConfiguration, "net10.0", assembly));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(BaseAddress.ToString().TrimEnd('/'));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Orleans__SiloPort"] = FreeTcpPort.Next().ToString();
        info.Environment["Orleans__GatewayPort"] = FreeTcpPort.Next().ToString();
        foreach (var (key, value) in environment) info.Environment[key] = value;
        process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int HttpPort { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>How long the process took from start until its health endpoint answered.</summary>
    public TimeSpan StartupTime { get; private set; }

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    /// <param name="arguments">After <c>--urls</c>, e.g. the run command's <c>--demo</c>.</param>
    public static Task<AppProcess> StartApiAsync(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string>? arguments = null) =>
        StartAsync("Api", "ChannelGrains.Api.dll", environment, arguments ?? []);

    public static Task<AppProcess> StartSiloAsync(IReadOnlyDictionary<string, string> environment) =>
        StartAsync("Silo", "ChannelGrains.Silo.dll", environment, []);

    private static async Task<AppProcess> StartAsync(string project, string assembly, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> arguments)
    {
        var started = Stopwatch.StartNew();
        var app = new AppProcess(project, assembly, environment, arguments, FreeTcpPort.Next());
        try
        {
            await app.WaitHealthyAsync(TimeSpan.FromSeconds(60));
            app.StartupTime = started.Elapsed;
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends the process at once, as a crash or a kill would: only what was acknowledged as durable may survive.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"{process.StartInfo.ArgumentList[0]} exited with {process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync(new Uri(BaseAddress, "healthz"))).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"No healthy answer within {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    public static string RepositoryRoot { get; } = FindRoot();

    // The test assembly sits in tests/ChannelGrains.Tests/bin/<Configuration>/net10.0.
    private static string BuildConfiguration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ChannelGrains.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("ChannelGrains.sln was not found above the test directory.");
    }
}
