using ChannelGrains.Common;
using GraphQL;
using GraphQL.Execution;

namespace ChannelGrains.Api.Schema;

/// <summary>The one place that turns refusals into GraphQL errors carrying a contract code in <c>extensions.code</c>.</summary>
public static class DomainErrors
{
    public static void Handle(UnhandledExceptionContext context)
    {
        if (Find(context.OriginalException) is { } refused)
            context.Exception = new ExecutionError(refused.Message) { Code = refused.Code };
    }

    private static ChannelException? Find(Exception? exception) => exception switch
    {
        null => null,
        ChannelException refused => refused,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find).FirstOrDefault(e => e is not null),
        _ => Find(exception.InnerException),
    };
}
