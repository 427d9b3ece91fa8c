using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ChannelGrains.Bench;

/// <summary>Mutation acknowledged → change visible at a subscriber, in milliseconds.</summary>
public static class Freshness
{
    /// <summary>
    /// Counter marker: each acknowledged mutation raises a watched figure by one. The i-th acknowledgement (by time,
    /// from 0) is visible at the first message at or after it that shows the figure at least i + 1 above its baseline.
    /// Both thresholds only grow with i, so one pass over the messages serves all acknowledgements.
    /// </summary>
    public static List<(double Ack, double Freshness)> Match(IReadOnlyList<double> sortedAcks, IReadOnlyList<(double At, decimal Raised)> messages)
    {
        var matched = new List<(double, double)>(sortedAcks.Count);
        var j = 0;
        for (var i = 0; i < sortedAcks.Count; i++)
        {
            while (j < messages.Count && (messages[j].At < sortedAcks[i] || messages[j].Raised < i + 1)) j++;
            if (j == messages.Count) break;
            matched.Add((sortedAcks[i], messages[j].At - sortedAcks[i]));
        }
        return matched;
    }

    public static string Describe(List<double> sorted, int of) => sorted.Count == 0
        ? $"nothing matched of {of:N0}"
        : string.Create(CultureInfo.InvariantCulture,
            $"p50 {Samples.Percentile(sorted, 0.5):F0} ms, p99 {Samples.Percentile(sorted, 0.99):F0} ms, max {sorted[^1]:F0} ms ({sorted.Count:N0} of {of:N0} matched)");

    public static double Milliseconds(long timestamp) => timestamp * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// K WebSocket clients, each subscribed to channelSummaryChanged(CN, this month) and to orderChanged of one dealer.
/// Feed it every acknowledgement (<see cref="OnAck"/>); it then reports setQuota → national summary freshness (the
/// quotaTarget marker, at every client) and placeOrder → orderChanged freshness (the order id as marker).
/// </summary>
public sealed class SubscriptionWatch : IAsyncDisposable
{
    private readonly List<Subscriber> subscribers = [];
    private readonly HashSet<string> watchedDealers;
    private readonly List<double> quotaAcks = [];
    private readonly ConcurrentDictionary<string, double> orderAcks = new();

    private SubscriptionWatch(HashSet<string> watchedDealers) => this.watchedDealers = watchedDealers;

    public static async Task<SubscriptionWatch> StartAsync(Uri baseAddress, string token, int clients, MixData data)
    {
        var dealers = Enumerable.Range(0, clients).Select(i => data.Dealers[i * data.Dealers.Length / Math.Max(1, clients)].Id).ToArray();
        var watch = new SubscriptionWatch([.. dealers]);
        foreach (var dealer in dealers)
            watch.subscribers.Add(await Subscriber.StartAsync(baseAddress, token, data.Month, dealer));
        return watch;
    }

    public int Messages => subscribers.Sum(s => s.Messages);

    public int Errors => subscribers.Sum(s => s.Errors);

    public void OnAck(MixOp op, PlacedOrder? placed, long at)
    {
        if (op == MixOp.SetQuota)
        {
            lock (quotaAcks) quotaAcks.Add(Freshness.Milliseconds(at));
        }
        else if (placed is not null && watchedDealers.Contains(placed.DealerId))
        {
            orderAcks[placed.Id] = Freshness.Milliseconds(at);
        }
    }

    /// <summary>
    /// Waits for late messages, then matches the acknowledgements since <paramref name="since"/> (a Stopwatch timestamp;
    /// earlier ones still count for the marker): (summary freshness sorted, how many were expected), (orderChanged, the same).
    /// </summary>
    public async Task<(List<double> Summary, int QuotaAcks, List<double> Orders, int OrderAcks)> ResultAsync(TimeSpan grace, long since)
    {
        await Task.Delay(grace);
        var from = Freshness.Milliseconds(since);
        double[] acks;
        lock (quotaAcks) acks = [.. quotaAcks.Order()];
        var summary = subscribers.SelectMany(s => Freshness.Match(acks, s.Summaries())).Where(m => m.Ack >= from).Select(m => m.Freshness).Order().ToList();
        var recent = orderAcks.Where(a => a.Value >= from).ToArray();
        var orders = recent.Select(a => subscribers.Select(s => s.OrderSeen(a.Key)).FirstOrDefault(t => t is not null) is { } seen ? Math.Max(0, seen - a.Value) : (double?)null)
            .OfType<double>().Order().ToList();
        return (summary, acks.Count(a => a >= from) * subscribers.Count, orders, recent.Length);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscriber in subscribers) await subscriber.DisposeAsync();
    }

    private sealed class Subscriber : IAsyncDisposable
    {
        private readonly GraphQLSocket socket;
        private readonly List<(double At, decimal Target)> summaries = [];
        private readonly ConcurrentDictionary<string, double> orders = new();
        private readonly Task reader;
        private int messages;
        private int errors;

        private Subscriber(GraphQLSocket socket, (double, decimal) first)
        {
            this.socket = socket;
            summaries.Add(first);
            reader = Task.Run(ReadAsync);
        }

        public int Messages => messages;

        public int Errors => errors;

        public static async Task<Subscriber> StartAsync(Uri baseAddress, string token, string month, string dealerId)
        {
            var socket = await GraphQLSocket.ConnectAsync(baseAddress, token);
            await socket.SubscribeAsync("summary", $"subscription {{ channelSummaryChanged(region: \"CN\", period: \"{month}\") {{ quotaTarget orderCount }} }}");
            var first = await socket.ReceiveAsync() ?? throw new InvalidOperationException("The socket closed before the first summary.");
            var target = first.GetProperty("payload").GetProperty("data").GetProperty("channelSummaryChanged").GetProperty("quotaTarget").GetDecimal();
            await socket.SubscribeAsync("orders", $"subscription {{ orderChanged(dealerId: \"{dealerId}\") {{ id status }} }}");
            return new Subscriber(socket, (Freshness.Milliseconds(Stopwatch.GetTimestamp()), target));
        }

        /// <summary>Each summary message as (time, quotaTarget above the first message's).</summary>
        public IReadOnlyList<(double At, decimal Raised)> Summaries()
        {
            lock (summaries) return summaries.Skip(1).Select(s => (s.At, s.Target - summaries[0].Target)).ToArray();
        }

        public double? OrderSeen(string id) => orders.TryGetValue(id, out var at) ? at : null;

        private async Task ReadAsync()
        {
            while (await socket.ReceiveAsync() is { } message)
            {
                var at = Freshness.Milliseconds(Stopwatch.GetTimestamp());
                Interlocked.Increment(ref messages);
                if (message.GetProperty("type").GetString() != "next")
                {
                    if (message.GetProperty("type").GetString() == "error") Interlocked.Increment(ref errors);
                    continue;
                }
                var payload = message.GetProperty("payload");
                if (payload.TryGetProperty("errors", out _))
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }
                var data = payload.GetProperty("data");
                if (message.GetProperty("id").GetString() == "summary")
                {
                    var target = data.GetProperty("channelSummaryChanged").GetProperty("quotaTarget").GetDecimal();
                    lock (summaries) summaries.Add((at, target));
                }
                else
                {
                    orders.TryAdd(data.GetProperty("orderChanged").GetProperty("id").GetString()!, at);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await socket.CloseAsync();
            try
            {
                await reader.WaitAsync(TimeSpan.FromSeconds(3));
            }
            catch (Exception error) when (error is TimeoutException or System.Net.WebSockets.WebSocketException or OperationCanceledException or JsonException)
            {
            }
            socket.Dispose();
        }
    }
}
