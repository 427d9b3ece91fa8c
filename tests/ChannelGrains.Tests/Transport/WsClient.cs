using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ChannelGrains.Tests.Transport;

/// <summary>A raw graphql-transport-ws client over <see cref="ClientWebSocket"/>, for protocol-level tests.</summary>
internal sealed class WsClient : IAsyncDisposable
{
    public const string Protocol = "graphql-transport-ws";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;

    private WsClient(ClientWebSocket socket) => _socket = socket;

    public WebSocketState State => _socket.State;

    public string? SubProtocol => _socket.SubProtocol;

    public static async Task<WsClient> ConnectAsync(Uri uri, string? subProtocol = Protocol, string? bearer = null)
    {
        var socket = new ClientWebSocket();
        if (subProtocol is not null) socket.Options.AddSubProtocol(subProtocol);
        if (bearer is not null) socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(uri, timeout.Token);
        return new WsClient(socket);
    }

    /// <summary>Connects, sends connection_init with the token and waits for connection_ack.</summary>
    public static async Task<WsClient> ConnectAndInitAsync(Uri uri, string? token = null)
    {
        var client = await ConnectAsync(uri);
        await client.SendAsync(new { type = "connection_init", payload = new { token = token ?? TransportServer.Token() } });
        var ack = await client.ReceiveAsync();
        Assert.Equal("connection_ack", ack.Type());
        return client;
    }

    public Task SendAsync(object message) => SendRawAsync(JsonSerializer.Serialize(message));

    public async Task SendRawAsync(string text)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>One frame of a text message, its last when <paramref name="endOfMessage"/>.</summary>
    public async Task SendFrameAsync(string text, bool endOfMessage)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage, timeout.Token);
    }

    public Task SubscribeAsync(string id, string query, object? variables = null) =>
        SendAsync(new { id, type = "subscribe", payload = new { query, variables } });

    /// <summary>The next message; fails if the server closes the socket instead.</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? timeout = null)
    {
        var (message, close) = await ReceiveOrCloseAsync(timeout ?? Patience);
        if (message is null) Assert.Fail($"Expected a message, but the server closed the socket: {close}");
        return message.Value;
    }

    /// <summary>Reads (and drops) messages until the server's close frame; returns its code and reason.</summary>
    public async Task<(int Code, string Reason)> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) Assert.Fail("The server did not close the socket.");
            var (message, close) = await ReceiveOrCloseAsync(left);
            if (message is null) return close!.Value;
        }
    }

    private async Task<(JsonElement? Message, (int Code, string Reason)? Close)> ReceiveOrCloseAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer, cancel.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived)
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return (null, ((int)result.CloseStatus!.Value, result.CloseStatusDescription ?? ""));
            }
            text.Write(buffer, 0, result.Count);
        } while (!result.EndOfMessage);
        return (JsonDocument.Parse(text.ToArray()).RootElement, null);
    }

    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try { await CloseAsync(); } catch (Exception) { /* the server may already be gone */ }
        }
        _socket.Dispose();
    }
}

internal static class MessageExtensions
{
    public static string? Type(this JsonElement message) => message.GetProperty("type").GetString();

    public static string? Id(this JsonElement message) => message.TryGetProperty("id", out var id) ? id.GetString() : null;

    public static JsonElement Payload(this JsonElement message) => message.GetProperty("payload");
}
