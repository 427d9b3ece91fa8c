using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ChannelGrains.Api.Auth;

namespace ChannelGrains.Bench;

/// <summary>
/// End-to-end freshness: an embedded Api process, a WebSocket client subscribed to channelSummaryChanged(CN, this month),
/// and setQuota mutations over HTTP at a fixed rate, each raising the national quota target by one. The i-th
/// acknowledged mutation counts as seen when a summary message shows at least i more target than at the start.
/// </summary>
public static class FreshnessBenchmark
{
    private const string Key = "freshness-benchmark-signing-key-0123456789abcdef";

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var root = FindRoot();
        var port = FreePort();
        using var api = StartApi(root, port);
        try
        {
            return await MeasureAsync(options, port);
        }
        finally
        {
            api.Kill(entireProcessTree: true);
        }
    }

    private static async Task<int> MeasureAsync(BenchOptions options, int port)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var token = TokenService.Issue(new AuthOptions(), Key, "fresh" + Environment.ProcessId, Role.Admin, "admin", "CN", TimeSpan.FromHours(1));
        using var http = new HttpClient { BaseAddress = baseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await WaitHealthyAsync(http);
        var month = DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var dealers = Enumerable.Range(0, options.Dealers).Select(i => new { id = $"D{i}", name = $"D{i}", region = $"CN/R{i % 8}/C{i % 32}", tier = "VALUE", status = "ADMITTED", creditLimit = 1000 }).ToArray();
        foreach (var batch in dealers.Chunk(500))
            await PostAsync(http, "mutation($inputs: [DealerInput!]!) { upsertDealers(inputs: $inputs) { id } }", new { inputs = batch });

        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("graphql-transport-ws");
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/graphql"), CancellationToken.None);
        await SendAsync(socket, new { type = "connection_init", payload = new { token } });
        await ReceiveAsync(socket);
        await SendAsync(socket, new { id = "s", type = "subscribe", payload = new { query = $"subscription {{ channelSummaryChanged(region: \"CN\", period: \"{month}\") {{ quotaTarget }} }}" } });
        var baseline = (await ReceiveAsync(socket)).GetProperty("payload").GetProperty("data").GetProperty("channelSummaryChanged").GetProperty("quotaTarget").GetDecimal();

        var clock = Stopwatch.StartNew();
        var acks = new List<double>();
        var seen = new List<(double At, decimal Target)>();
        var reader = Task.Run(async () =>
        {
            while (socket.State == WebSocketState.Open)
            {
                var message = await ReceiveAsync(socket);
                if (message.GetProperty("type").GetString() != "next") continue;
                var target = message.GetProperty("payload").GetProperty("data").GetProperty("channelSummaryChanged").GetProperty("quotaTarget").GetDecimal();
                lock (seen) seen.Add((clock.Elapsed.TotalMilliseconds, target - baseline));
            }
        });
        var targets = new int[dealers.Length];
        var total = options.Rate * options.Seconds;
        var sent = 0;
        var inFlight = new List<Task>();
        while (sent < total)
        {
            var due = clock.Elapsed.TotalSeconds * options.Rate;
            while (sent < due && sent < total)
            {
                var dealer = sent % dealers.Length;
                var target = Interlocked.Increment(ref targets[dealer]);
                inFlight.Add(Task.Run(async () =>
                {
                    await PostAsync(http, "mutation($input: QuotaInput!) { setQuota(input: $input) { target } }", new { input = new { ownerId = dealers[dealer].id, period = month, target } });
                    lock (acks) acks.Add(clock.Elapsed.TotalMilliseconds);
                }));
                sent++;
            }
            await Task.Delay(1);
        }
        await Task.WhenAll(inFlight);
        var sendSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(2000);

        acks.Sort();
        var freshness = new List<double>();
        lock (seen)
        {
            for (var i = 0; i < acks.Count; i++)
            {
                var visible = seen.FirstOrDefault(s => s.Target >= i + 1 && s.At >= acks[i]);
                if (visible != default) freshness.Add(visible.At - acks[i]);
            }
        }
        freshness.Sort();
        double P(double q) => freshness.Count == 0 ? double.NaN : freshness[Math.Min(freshness.Count - 1, (int)(q * freshness.Count))];
        Console.WriteLine($"freshness: {acks.Count:N0} setQuota mutations at {acks.Count / sendSeconds:N0}/s (asked {options.Rate}/s), "
            + $"{seen.Count:N0} summary messages; mutation ack -> WebSocket message p50 {P(0.5):F0} ms, p99 {P(0.99):F0} ms ({freshness.Count:N0} matched)");
        return 0;
    }

    private static Process StartApi(string root, int port)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(root, "src/Api/bin/Release/net10.0/ChannelGrains.Api.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["Auth__SigningKey"] = Key;
        info.Environment["Orleans__SiloPort"] = FreePort().ToString();
        info.Environment["Orleans__GatewayPort"] = FreePort().ToString();
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitHealthyAsync(HttpClient http)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync("healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The Api did not start.");
    }

    private static async Task PostAsync(HttpClient http, string query, object variables)
    {
        using var response = await http.PostAsJsonAsync("graphql", new { query, variables });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || body.Contains("\"errors\"")) throw new InvalidOperationException(body);
    }

    private static Task SendAsync(ClientWebSocket socket, object message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            text.Write(buffer, 0, result.Count);
        } while (!result.EndOfMessage);
        return JsonDocument.Parse(Encoding.UTF8.GetString(text.ToArray())).RootElement.Clone();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ChannelGrains.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Run from within the repository.");
    }
}
