using System.Security.Claims;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Transport;

namespace ChannelGrains.Api.Transport;

/// <summary>
/// One <c>subscribe</c> of a graphql-transport-ws socket: a query or mutation gives one <c>next</c> then
/// <c>complete</c>; a subscription gives a <c>next</c> per event until its stream ends (<c>complete</c>), fails
/// (<c>error</c>), or the client completes it or leaves, which disposes the stream subscription.
/// </summary>
internal sealed class WebSocketOperation(string id, GraphQLWebSocketSession session, CancellationToken stopping)
{
    private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private volatile bool _silenced;

    public string Id { get; } = id;

    /// <summary>True once the client completed the operation or left: nothing more may be sent for it.</summary>
    public bool Silenced => _silenced;

    public Task Running { get; private set; } = Task.CompletedTask;

    public void Start(GraphQLRequest request, ClaimsPrincipal user) => Running = RunAsync(request, user);

    /// <summary>The client completed it, or the socket is going away.</summary>
    public void Cancel()
    {
        _silenced = true;
        try { _cancel.Cancel(); } catch (ObjectDisposedException) { /* already finished */ }
    }

    private async Task RunAsync(GraphQLRequest request, ClaimsPrincipal user)
    {
        await Task.Yield(); // let the receive loop go on reading (a client may complete this operation)
        try
        {
            var prepared = session.Executor.Prepare(request, out var parseError);
            if (prepared is null)
            {
                SendErrors([parseError!]);
                return;
            }
            // Each operation has its own DI scope, as an HTTP request does: a socket lives long and runs many.
            await using var scope = session.ScopeFactory.CreateAsyncScope();
            var result = await session.Executor.ExecuteAsync(prepared, user, scope.ServiceProvider, _cancel.Token);
            if (!result.Executed)
                SendErrors(result.Errors is { Count: > 0 } errors ? errors : [TransportErrorCodes.Error(TransportErrorCodes.InternalServerError, "The operation was not executed.")]);
            else if (result.Streams?.Values.FirstOrDefault() is { } stream)
                await StreamAsync(stream);
            else
                SendResultThenComplete(result);
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // completed by the client, or the socket closed
        }
        catch (Exception ex)
        {
            session.Logger.LogError(ex, "GraphQL WebSocket operation {Id} failed", Id);
            SendErrors([TransportErrorCodes.Error(TransportErrorCodes.InternalServerError, "The operation failed.")]);
        }
        finally
        {
            session.Forget(this);
            session.Ended(this);
            _cancel.Dispose();
        }
    }

    private async Task StreamAsync(IObservable<ExecutionResult> stream)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (stream.Subscribe(new Observer(this, ended)))
        {
            try
            {
                await ended.Task.WaitAsync(_cancel.Token);
            }
            catch (OperationCanceledException)
            {
                // completed by the client or the socket closed: leaving the block disposes the subscription
            }
        }
    }

    private void SendResultThenComplete(ExecutionResult result)
    {
        SendNext(result);
        SendComplete();
    }

    private void SendNext(ExecutionResult result) => session.Send(this, "next", result);

    private void SendComplete()
    {
        session.Forget(this); // the id is free again once the client reads "complete"
        session.SendComplete(this);
    }

    private void SendErrors(IEnumerable<ExecutionError> errors)
    {
        session.Forget(this);
        session.Send(this, "error", errors.ToArray());
    }

    private sealed class Observer(WebSocketOperation operation, TaskCompletionSource ended) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value)
        {
            if (!ended.Task.IsCompleted) operation.SendNext(value);
        }

        public void OnError(Exception error)
        {
            if (!ended.TrySetResult()) return;
            operation.SendErrors([error as ExecutionError ?? new UnhandledError("Response stream error.", error)]);
        }

        public void OnCompleted()
        {
            if (ended.TrySetResult()) operation.SendComplete();
        }
    }
}
