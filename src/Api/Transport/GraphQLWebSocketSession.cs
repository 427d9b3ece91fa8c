using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Json;
using ChannelGrains.Api.Auth;
using GraphQL;
using GraphQL.Transport;

namespace ChannelGrains.Api.Transport;

/// <summary>Close codes of the graphql-transport-ws protocol.</summary>
public static class CloseCodes
{
    public const int BadRequest = 4400;
    public const int Unauthorized = 4401;
    public const int Forbidden = 4403;
    public const int SubprotocolNotAcceptable = 4406;
    public const int ConnectionInitialisationTimeout = 4408;
    public const int SubscriberAlreadyExists = 4409;
    public const int TooManyInitialisationRequests = 4429;
}

/// <summary>
/// One socket speaking graphql-transport-ws: reads messages one at a time, authenticates <c>connection_init</c>,
/// starts an operation per <c>subscribe</c>, and closes with the protocol's codes. All sending goes through a
/// <see cref="WebSocketWriter"/>.
/// </summary>
public sealed class GraphQLWebSocketSession
{
    public const string SubProtocol = "graphql-transport-ws";

    private readonly WebSocket _socket;
    private readonly ClaimsPrincipal? _upgradeUser;
    private readonly GraphQLTransportOptions _options;
    private readonly IGraphQLTextSerializer _serializer;
    private readonly TokenService _tokens;
    private readonly ConcurrentDictionary<string, WebSocketOperation> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<WebSocketOperation, bool> _running = new(); // also those the client completed
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort;
    private readonly WebSocketWriter _writer;
    private readonly List<Task> _timers = [];
    private int _initReceived;
    private volatile ClaimsPrincipal? _user;

    internal GraphQLWebSocketSession(WebSocket socket, ClaimsPrincipal? upgradeUser, GraphQLWebSocketEndpoint endpoint, CancellationToken requestAborted)
    {
        _socket = socket;
        _upgradeUser = upgradeUser;
        _options = endpoint.Options;
        _serializer = endpoint.Serializer;
        _tokens = endpoint.Tokens;
        Executor = endpoint.Executor;
        ScopeFactory = endpoint.ScopeFactory;
        Logger = endpoint.Logger;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        _writer = new WebSocketWriter(socket, _options.MaxPendingMessages, _options.MaxPendingBytes, _abort.Token);
        _writer.CloseRequested += OnCloseRequested;
    }

    internal OperationExecutor Executor { get; }
    internal IServiceScopeFactory ScopeFactory { get; }
    internal ILogger Logger { get; }

    /// <summary>Runs until the socket is closed and every operation of it has ended.</summary>
    public async Task RunAsync(bool subProtocolAccepted)
    {
        if (!subProtocolAccepted) Close(CloseCodes.SubprotocolNotAcceptable, "Subprotocol not acceptable");
        else _timers.Add(CloseUnlessInitialisedAsync());
        try
        {
            await ReceiveLoopAsync();
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // aborted, or the peer vanished
        }
        finally
        {
            Close(WebSocketCloseStatus.NormalClosure, "");
            var running = _running.Keys.ToList();
            foreach (var operation in running) operation.Cancel();
            await Task.WhenAll(running.Select(o => o.Running).Concat(_timers)).ContinueWith(_ => { }, TaskScheduler.Default);
            await _writer.Completion;
            _abort.Dispose();
            _stopping.Dispose();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4096];
        var message = new ArrayBufferWriter<byte>();
        while (true)
        {
            message.Clear();
            var tooBig = false;
            ValueWebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer.AsMemory(), _abort.Token);
                if (received.MessageType == WebSocketMessageType.Close) return;
                if (!tooBig && message.WrittenCount + received.Count > _options.MaxMessageBytes)
                {
                    // Refused once it is too big, not once it ends: a message that never ends would hold the socket open.
                    tooBig = true;
                    Close(WebSocketCloseStatus.MessageTooBig, $"Message larger than {_options.MaxMessageBytes} bytes");
                }
                if (!tooBig) message.Write(buffer.AsSpan(0, received.Count));
            } while (!received.EndOfMessage);

            if (_writer.IsClosing) continue; // waiting for the client's close frame
            await HandleAsync(message.WrittenMemory);
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> bytes)
    {
        JsonDocument json;
        try { json = JsonDocument.Parse(bytes); }
        catch (JsonException) { Close(CloseCodes.BadRequest, "Invalid message received: not JSON"); return; }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                Close(CloseCodes.BadRequest, "Invalid message received: no type");
                return;
            }
            var payload = root.TryGetProperty("payload", out var p) && p.ValueKind != JsonValueKind.Null ? p : (JsonElement?)null;
            var type = typeElement.GetString();
            if (type is "connection_init" or "ping" or "pong" && payload is { ValueKind: not JsonValueKind.Object })
            {
                Close(CloseCodes.BadRequest, $"Invalid message received: the payload of {type} must be an object");
                return;
            }
            try
            {
                switch (type)
                {
                    case "connection_init": await InitialiseAsync(payload); break;
                    case "ping": _writer.Enqueue(Messages.Pong(payload)); break;
                    case "pong": break;
                    case "subscribe": Subscribe(root, payload); break;
                    case "complete": Complete(root); break;
                    default: Close(CloseCodes.BadRequest, $"Invalid message received: unexpected type '{type}'"); break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Logger.LogError(ex, "GraphQL WebSocket message {Type} failed", type);
                Close(WebSocketCloseStatus.InternalServerError, "Internal server error");
            }
        }
    }

    private async Task InitialiseAsync(JsonElement? payload)
    {
        if (Interlocked.Exchange(ref _initReceived, 1) == 1)
        {
            Close(CloseCodes.TooManyInitialisationRequests, "Too many initialisation requests");
            return;
        }
        var token = BearerToken(payload);
        var user = token is null ? _upgradeUser : await _tokens.ValidateAsync(token, _stopping.Token);
        if (user is null)
        {
            Close(CloseCodes.Forbidden, "Forbidden");
            return;
        }
        _user = user;
        _writer.Enqueue(Messages.ConnectionAck);
        if (_options.KeepAlive > TimeSpan.Zero) _timers.Add(KeepAliveAsync());
        if (_tokens.AcceptedUntil(user) is { } until) _timers.Add(CloseWhenExpiredAsync(until));
    }

    private void Subscribe(JsonElement message, JsonElement? payload)
    {
        if (Id(message) is not { } id) return;
        var read = payload is { } body ? GraphQLRequestReader.Read(body, _serializer) : RequestReadResult.Fail("no payload");
        if (read.Request is null)
        {
            Close(CloseCodes.BadRequest, $"Invalid message received: subscribe {read.Error}");
            return;
        }
        if (_user is not { } user)
        {
            Close(CloseCodes.Unauthorized, "Unauthorized");
            return;
        }
        // An id in use closes 4409 even at the limit: an error message with that id would end, for the client, the
        // operation that holds it, while the server goes on sending its events.
        if (_operations.ContainsKey(id))
        {
            Close(CloseCodes.SubscriberAlreadyExists, $"Subscriber for {id} already exists");
            return;
        }
        if (_operations.Count >= _options.MaxOperationsPerSocket)
        {
            Send(null, "error", new[] { TransportErrorCodes.Error(TransportErrorCodes.TooManyOperations,
                $"At most {_options.MaxOperationsPerSocket} operations may run at once on one socket.") }, id);
            return;
        }
        var operation = new WebSocketOperation(id, this, _stopping.Token);
        if (!_operations.TryAdd(id, operation))
        {
            Close(CloseCodes.SubscriberAlreadyExists, $"Subscriber for {id} already exists");
            return;
        }
        _running[operation] = true;
        operation.Start(read.Request, user);
    }

    private void Complete(JsonElement message)
    {
        if (Id(message) is { } id && _operations.TryRemove(id, out var operation)) operation.Cancel();
    }

    private string? Id(JsonElement message)
    {
        if (message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } text)
            return text;
        Close(CloseCodes.BadRequest, "Invalid message received: no id");
        return null;
    }

    internal void Send(WebSocketOperation? operation, string type, object payload, string? id = null)
    {
        if (operation?.Silenced == true) return;
        var message = new OperationMessage { Id = id ?? operation?.Id, Type = type, Payload = payload };
        _writer.Enqueue(System.Text.Encoding.UTF8.GetBytes(_serializer.Serialize(message)), operation);
    }

    internal void SendComplete(WebSocketOperation operation) => _writer.Enqueue(Messages.Complete(operation.Id), operation);

    internal void Ended(WebSocketOperation operation) => _running.TryRemove(operation, out _);

    /// <summary>Frees the operation's id, unless a newer operation already uses it.</summary>
    internal void Forget(WebSocketOperation operation) => _operations.TryRemove(new KeyValuePair<string, WebSocketOperation>(operation.Id, operation));

    private void Close(int code, string reason) => Close((WebSocketCloseStatus)code, reason);

    private void Close(WebSocketCloseStatus status, string reason) => _writer.RequestClose(status, reason);

    private void OnCloseRequested()
    {
        // Operations stop at once; the socket gets CloseTimeout to answer our close frame before it is aborted.
        ThreadPool.QueueUserWorkItem(_ =>
        {
            try
            {
                _stopping.Cancel();
                _abort.CancelAfter(_options.CloseTimeout);
            }
            catch (ObjectDisposedException)
            {
                // the session already ended
            }
        });
    }

    private async Task CloseUnlessInitialisedAsync()
    {
        try
        {
            await Task.Delay(_options.ConnectionInitTimeout, _stopping.Token);
            if (Volatile.Read(ref _initReceived) == 0) Close(CloseCodes.ConnectionInitialisationTimeout, "Connection initialisation timeout");
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>The socket lives no longer than the token it was opened with: then it closes with 4403, as a refused init does.</summary>
    private async Task CloseWhenExpiredAsync(DateTimeOffset until)
    {
        try
        {
            // Task.Delay takes at most ~49 days: wait in steps for tokens that live longer.
            for (var left = until - DateTimeOffset.UtcNow; left > TimeSpan.Zero; left = until - DateTimeOffset.UtcNow)
                await Task.Delay(left < TimeSpan.FromDays(1) ? left : TimeSpan.FromDays(1), _stopping.Token);
            Close(CloseCodes.Forbidden, "Forbidden: the token expired");
        }
        catch (OperationCanceledException) { }
    }

    private async Task KeepAliveAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(_options.KeepAlive);
            while (await timer.WaitForNextTickAsync(_stopping.Token)) _writer.Enqueue(Messages.Ping);
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>The token of <c>{"token": "..."}</c> (or <c>{"Authorization": "Bearer ..."}</c>) in connection_init, if any.</summary>
    private static string? BearerToken(JsonElement? payload)
    {
        if (payload is not { } body) return null;
        foreach (var property in body.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String) continue;
            if (property.NameEquals("token") || property.Name.Equals("authorization", StringComparison.OrdinalIgnoreCase))
            {
                var value = property.Value.GetString()!.Trim();
                return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value["Bearer ".Length..].Trim() : value;
            }
        }
        return null;
    }
}
