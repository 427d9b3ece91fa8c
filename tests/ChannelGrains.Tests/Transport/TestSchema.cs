using System.Collections.Concurrent;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace ChannelGrains.Tests.Transport;

/// <summary>A schema that exists only to exercise the transports: nothing of the domain.</summary>
public sealed class TestSchema : Schema
{
    public TestSchema(IServiceProvider services) : base(services)
    {
        Query = new TestQuery();
        Mutation = new TestMutation();
        Subscription = new TestSubscription();
    }
}

public sealed class TestQuery : ObjectGraphType
{
    public TestQuery()
    {
        Name = "Query";
        Field<StringGraphType>("hello").Argument<StringGraphType>("name")
            .Resolve(ctx => $"Hello, {ctx.GetArgument<string?>("name") ?? "world"}");
        Field<StringGraphType>("whoami").Resolve(ctx => ctx.User?.FindFirst("sub")?.Value);
        Field<DeepType>("deep").Resolve(_ => 1);
        Field<ListGraphType<ItemType>>("items").Argument<IntGraphType>("first")
            .Resolve(ctx => Enumerable.Range(1, ctx.GetArgument<int?>("first") ?? 3));
        Field<StringGraphType>("fail").Resolve(_ => throw new ExecutionError("No such dealer.") { Code = "NOT_FOUND" });
        Field<StringGraphType>("crash").Resolve(_ => throw new InvalidOperationException("secret: Host=db;Password=hunter2"));
        Field<IntGraphType>("slow").ResolveAsync(async ctx =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300), ctx.CancellationToken);
            return 1;
        });
    }
}

/// <summary>Nests without end: <c>deep { next { next { level } } }</c>.</summary>
public sealed class DeepType : ObjectGraphType<int>
{
    public DeepType()
    {
        Name = "Deep";
        Field<IntGraphType>("level").Resolve(ctx => ctx.Source);
        Field<DeepType>("next").Resolve(ctx => ctx.Source + 1);
    }
}

public sealed class ItemType : ObjectGraphType<int>
{
    public ItemType()
    {
        Name = "Item";
        Field<IntGraphType>("id").Resolve(ctx => ctx.Source);
        Field<ListGraphType<ItemType>>("children").Argument<IntGraphType>("first")
            .Resolve(ctx => Enumerable.Range(1, ctx.GetArgument<int?>("first") ?? 3));
    }
}

public sealed class TestMutation : ObjectGraphType
{
    public TestMutation()
    {
        Name = "Mutation";
        Field<StringGraphType>("echo").Argument<NonNullGraphType<StringGraphType>>("message")
            .Resolve(ctx => ctx.GetArgument<string>("message"));
    }
}

public sealed class TestSubscription : ObjectGraphType
{
    public TestSubscription()
    {
        Name = "Subscription";
        Field<IntGraphType, int>("ticks")
            .Argument<IntGraphType>("count")
            .Argument<StringGraphType>("tag")
            .ResolveStream(ctx => ctx.RequestServices!.GetRequiredService<TickSource>()
                .Ticks(ctx.GetArgument<string?>("tag") ?? "", ctx.GetArgument<int?>("count"), failAfter: null));
        Field<IntGraphType, int>("failingTicks")
            .ResolveStream(ctx => ctx.RequestServices!.GetRequiredService<TickSource>().Ticks("failing", count: null, failAfter: 1));
    }
}

/// <summary>
/// The observables behind the test subscriptions: each counts its live subscriptions per tag, so a test can
/// prove the server disposed its subscription when the client completed or left.
/// </summary>
public sealed class TickSource
{
    private readonly ConcurrentDictionary<string, int> _active = new();
    private readonly ConcurrentDictionary<string, int> _disposed = new();

    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    public int Active(string tag) => _active.GetValueOrDefault(tag);

    public int Disposed(string tag) => _disposed.GetValueOrDefault(tag);

    /// <summary><paramref name="count"/> ticks then completion (endless when null); fails after <paramref name="failAfter"/> ticks.</summary>
    public IObservable<int> Ticks(string tag, int? count, int? failAfter) => new TickObservable(this, tag, count, failAfter);

    private sealed class TickObservable(TickSource source, string tag, int? count, int? failAfter) : IObservable<int>
    {
        public IDisposable Subscribe(IObserver<int> observer)
        {
            var stop = new CancellationTokenSource();
            source._active.AddOrUpdate(tag, 1, (_, n) => n + 1);
            _ = Task.Run(async () =>
            {
                try
                {
                    for (var i = 1; count is null || i <= count; i++)
                    {
                        await Task.Delay(Interval, stop.Token);
                        observer.OnNext(i);
                        if (i == failAfter)
                        {
                            observer.OnError(new ExecutionError("The ticker broke.") { Code = "TICKER_BROKE" });
                            return;
                        }
                    }
                    observer.OnCompleted();
                }
                catch (OperationCanceledException)
                {
                    // unsubscribed
                }
            });
            return new Unsubscriber(() =>
            {
                stop.Cancel();
                source._disposed.AddOrUpdate(tag, 1, (_, n) => n + 1); // before Active drops: tests wait on Active
                source._active.AddOrUpdate(tag, 0, (_, n) => n - 1);
            });
        }
    }

    private sealed class Unsubscriber(Action action) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) action();
        }
    }
}
