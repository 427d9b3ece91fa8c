using System.Diagnostics;

namespace ChannelGrains.Tests.Transport;

/// <summary>The server against the reference client: the npm graphql-ws library, run by Node from tests/js.</summary>
[Collection(TransportCollection.Name)]
public sealed class GraphQLWsLibraryTests(TransportServer server)
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    [Fact]
    public async Task Graphql_ws_client_subscribes_receives_every_event_and_completes()
    {
        var (exitCode, output) = await RunScriptAsync(TransportServer.Token(), count: 3);

        Assert.True(exitCode == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["NEXT {\"data\":{\"ticks\":1}}", "NEXT {\"data\":{\"ticks\":2}}", "NEXT {\"data\":{\"ticks\":3}}"],
            lines.Where(l => l.StartsWith("NEXT ")).ToArray());
        Assert.Contains("QUERY {\"data\":{\"hello\":\"Hello, node\"}}", lines);
        Assert.Equal("DONE 3", lines.Last());
    }

    [Fact]
    public async Task Graphql_ws_client_with_a_forged_token_sees_close_4403()
    {
        var (exitCode, output) = await RunScriptAsync(TransportServer.ForgedToken(), count: 1);

        Assert.Equal(1, exitCode);
        Assert.Contains("FAILED 4403 Forbidden", output);
    }

    private async Task<(int ExitCode, string Output)> RunScriptAsync(string token, int count)
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "js");
        await EnsureInstalledAsync(folder);
        var (exitCode, stdout, stderr) = await RunAsync("node", folder, TimeSpan.FromSeconds(60),
            "subscribe-ticks.mjs", server.WebSocketUri.ToString(), token, count.ToString());
        return (exitCode, stdout + stderr);
    }

    private static async Task EnsureInstalledAsync(string folder)
    {
        await Install.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(folder, "node_modules", "graphql-ws"))) return;
            var (exitCode, stdout, stderr) = await RunAsync("npm", folder, TimeSpan.FromMinutes(5), "ci", "--no-audit", "--no-fund");
            Assert.True(exitCode == 0, $"npm ci failed:\n{stdout}\n{stderr}");
        }
        finally
        {
            Install.Release();
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, string folder, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ChannelGrains.sln"))) return folder.FullName;
        }
        throw new InvalidOperationException("ChannelGrains.sln not found above " + AppContext.BaseDirectory);
    }
}
