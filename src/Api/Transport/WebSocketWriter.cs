using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace ChannelGrains.Api.Transport;

/// <summary>
/// The only code that sends on a socket: messages go through one queue, in order, one at a time, and the close
/// frame goes last. A message of an operation the client completed is dropped, even if it was already queued.
/// </summary>
internal sealed class WebSocketWriter
{
    private readonly WebSocket _socket;
    private readonly int _maxPending;
    private readonly long _maxPendingBytes;
    private readonly CancellationToken _abort;
    private readonly Channel<(byte[] Message, WebSocketOperation? Operation)> _queue =
        Channel.CreateUnbounded<(byte[], WebSocketOperation?)>(new UnboundedChannelOptions { SingleReader = true });
    private int _pending;
    private long _pendingBytes;
    private int _closing;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = "";

    public WebSocketWriter(WebSocket socket, int maxPending, long maxPendingBytes, CancellationToken abort)
    {
        _socket = socket;
        _maxPending = maxPending;
        _maxPendingBytes = maxPendingBytes;
        _abort = abort;
        Completion = Task.Run(WriteLoopAsync);
    }

    /// <summary>Raised once, on the thread that asked to close.</summary>
    public event Action? CloseRequested;

    public Task Completion { get; }

    public bool IsClosing => Volatile.Read(ref _closing) == 1;

    public (WebSocketCloseStatus Status, string Reason) CloseStatus => (_closeStatus, _closeReason);

    public void Enqueue(byte[] message, WebSocketOperation? operation = null)
    {
        if (IsClosing || operation?.Silenced == true) return;
        var count = Interlocked.Increment(ref _pending);
        var bytes = Interlocked.Add(ref _pendingBytes, message.Length);
        // Bounded in bytes too: a thousand large query results would hold hundreds of megabytes for a client that never reads.
        if (count > _maxPending || (bytes > _maxPendingBytes && bytes != message.Length))
        {
            RequestClose(WebSocketCloseStatus.PolicyViolation, "Too many pending messages: the client reads too slowly");
            return;
        }
        _queue.Writer.TryWrite((message, operation));
    }

    /// <summary>Stops sending further messages and sends a close frame with this status (the first request wins).</summary>
    public void RequestClose(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1) return;
        _closeStatus = status;
        _closeReason = Truncate(reason, 123); // the limit of a close frame's reason
        _queue.Writer.TryComplete();
        CloseRequested?.Invoke();
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var (message, operation) in _queue.Reader.ReadAllAsync(_abort))
            {
                Interlocked.Decrement(ref _pending);
                Interlocked.Add(ref _pendingBytes, -message.Length);
                if (IsClosing) break;
                if (operation?.Silenced == true) continue;
                await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, _abort);
            }
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, _abort);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // the socket was aborted or the peer vanished: nothing more can be sent
        }
    }

    private static string Truncate(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        var length = text.Length;
        while (Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > maxBytes) length--;
        return text[..length];
    }
}
