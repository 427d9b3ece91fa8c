using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace ChannelGrains.Bench;

/// <summary>
/// End-to-end freshness: an embedded Api process, a WebSocket client subscribed to channelSummaryChanged(CN, this month),
/// and setQuota mutations over HTTP at a fixed rate, each raising the national quota target by one. The i-th
/// acknowledged mutation counts as seen when a summary message shows at least i more target than at the start.
/// </summary>
public static class FreshnessBenchmark
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        using var api = await ChildApp.StartApiAsync();
        return await MeasureAsync(options, api.BaseAddress);
    }

    private static async Task<int> MeasureAsync(BenchOptions options, Uri baseAddress)
    {
        var token = ChildApp.AdminToken("fresh" + Environment.ProcessId);
        // A bounded pool, as the load driver's: unbounded, every request in flight opened its own connection (8,500
        // at once were seen), and the server spent its cores accepting connections rather than serving the mutations.
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = baseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var month = DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var dealers = Enumerable.Range(0, options.Dealers).Select(i => new { id = $"D{i}", name = $"D{i}", region = $"CN/R{i % 8}/C{i % 32}", tier = "VALUE", status = "ADMITTED", creditLimit = 1000 }).ToArray();
        foreach (var batch in dealers.Chunk(500))
            await PostAsync(http, "mutation($inputs: [DealerInput!]!) { upsertDealers(inputs: $inputs) { id } }", new { inputs = batch });

        using var socket = await GraphQLSocket.ConnectAsync(baseAddress, token);
        await socket.SubscribeAsync("s", $"subscription {{ channelSummaryChanged(region: \"CN\", period: \"{month}\") {{ quotaTarget }} }}");
        var baseline = QuotaTarget((await socket.ReceiveAsync())!.Value);

        var clock = Stopwatch.StartNew();
        var acks = new List<double>();
        var seen = new List<(double At, decimal Target)>();
        var reader = Task.Run(async () =>
        {
            while (await socket.ReceiveAsync() is { } message)
            {
                if (message.GetProperty("type").GetString() != "next") continue;
                var target = QuotaTarget(message);
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
        List<double> freshness;
        lock (seen) freshness = Freshness.Match(acks, seen).Select(m => m.Freshness).Order().ToList();
        Console.WriteLine($"freshness: {acks.Count:N0} setQuota mutations at {acks.Count / sendSeconds:N0}/s (asked {options.Rate}/s), "
            + $"{seen.Count:N0} summary messages; mutation ack -> WebSocket message {Freshness.Describe(freshness, acks.Count)}");
        return 0;
    }

    private static decimal QuotaTarget(System.Text.Json.JsonElement message) =>
        message.GetProperty("payload").GetProperty("data").GetProperty("channelSummaryChanged").GetProperty("quotaTarget").GetDecimal();

    private static async Task PostAsync(HttpClient http, string query, object variables)
    {
        using var response = await http.PostAsJsonAsync("graphql", new { query, variables });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || body.Contains("\"errors\"")) throw new InvalidOperationException(body);
    }
}
