using System.Net.WebSockets;
using System.Text.Json;

namespace ChannelGrains.Bench;

/// <summary>A graphql-transport-ws client: connection_init with the token, subscribe, read messages (pings are answered).</summary>
public sealed class GraphQLSocket : IDisposable
{
    private static readonly byte[] Pong = """{"type":"pong"}"""u8.ToArray();
    private readonly ClientWebSocket socket = new();
    private readonly byte[] buffer = new byte[64 * 1024];
    private readonly MemoryStream message = new();

    private GraphQLSocket()
    {
    }

    public static async Task<GraphQLSocket> ConnectAsync(Uri baseAddress, string token)
    {
        var client = new GraphQLSocket();
        client.socket.Options.AddSubProtocol("graphql-transport-ws");
        await client.socket.ConnectAsync(new UriBuilder(new Uri(baseAddress, "graphql")) { Scheme = "ws" }.Uri, CancellationToken.None);
        await client.SendAsync(new { type = "connection_init", payload = new { token } });
        var ack = await client.ReceiveAsync();
        if (ack?.GetProperty("type").GetString() != "connection_ack") throw new InvalidOperationException($"No connection_ack: {ack}");
        return client;
    }

    public Task SubscribeAsync(string id, string query) => SendAsync(new { id, type = "subscribe", payload = new { query } });

    /// <summary>The next message other than a ping, or null once the socket is closed.</summary>
    public async Task<JsonElement?> ReceiveAsync(CancellationToken cancel = default)
    {
        while (true)
        {
            message.SetLength(0);
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancel);
                if (result.MessageType == WebSocketMessageType.Close) return null;
                message.Write(buffer, 0, result.Count);
            } while (!result.EndOfMessage);
            var root = JsonDocument.Parse(message.GetBuffer().AsMemory(0, (int)message.Length)).RootElement.Clone();
            if (root.GetProperty("type").GetString() != "ping") return root;
            await socket.SendAsync(Pong, WebSocketMessageType.Text, true, cancel);
        }
    }

    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        socket.Dispose();
        message.Dispose();
    }

    private Task SendAsync(object value) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(value), WebSocketMessageType.Text, true, CancellationToken.None);
}
