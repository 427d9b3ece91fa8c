using System.Collections.Concurrent;
using System.Reflection;
using ChannelGrains.Api.Schema;
using ChannelGrains.Tests.Infrastructure;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChannelGrains.Tests.Api;

/// <summary>
/// A resolver failing for a reason that is not a refusal answers the caller INTERNAL_SERVER_ERROR and nothing more, so
/// the Api's log is the only place that says what failed. Before, the served schema's refusal handler replaced the
/// transport's logging handler, and such failures (a misconfigured reminder period failing every placeOrder) left no
/// line in the log.
/// </summary>
public sealed class UnexpectedErrorTests
{
    [Fact]
    public async Task A_resolver_failing_unexpectedly_is_logged_with_its_exception_and_a_refusal_is_not()
    {
        var logged = new ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)>();
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.AddProvider(new CapturingLoggerProvider(logged)));
        collection.AddSingleton(DispatchProxy.Create<IGrainFactory, UnreachableGrains>());
        collection.AddChannelSchema();
        await using var services = collection.BuildServiceProvider();
        var executer = services.GetRequiredService<IDocumentExecuter<ISchema>>();

        var failed = await executer.ExecuteAsync(new ExecutionOptions
        {
            Query = "query Lookup { product(sku: \"P1\") { sku } }",
            User = InProcessGraphQL.Principal(Callers.Admin("t1")),
            RequestServices = services,
        });
        var refused = await executer.ExecuteAsync(new ExecutionOptions
        {
            Query = "{ channelSummary(region: \"CN//East\", period: \"2026-11\") { orderCount } }",
            User = InProcessGraphQL.Principal(Callers.Admin("t1")),
            RequestServices = services,
        });

        Assert.NotNull(failed.Errors);
        Assert.Equal("VALIDATION", Assert.Single(refused.Errors!).Code);
        var error = Assert.Single(logged, entry => entry.Level == LogLevel.Error);
        Assert.Equal("GraphQL operation Lookup failed: field product", error.Message);
        Assert.Equal("the grains are unreachable", Assert.IsType<InvalidOperationException>(error.Exception).Message);
    }

    /// <summary>An <see cref="IGrainFactory"/> whose every call fails as a bug or a broken cluster would.</summary>
    public class UnreachableGrains : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new InvalidOperationException("the grains are unreachable");
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<(LogLevel, string, Exception?)> logged) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(logged);

        public void Dispose()
        {
        }

        private sealed class Capturing(ConcurrentQueue<(LogLevel, string, Exception?)> logged) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logged.Enqueue((logLevel, formatter(state, exception), exception));
        }
    }
}
