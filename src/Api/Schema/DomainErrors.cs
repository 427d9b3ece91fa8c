using ChannelGrains.Common;
using GraphQL;
using GraphQL.Execution;

namespace ChannelGrains.Api.Schema;

/// <summary>
/// The one place that turns refusals into GraphQL errors carrying a contract code in <c>extensions.code</c>, and that
/// logs every other exception a resolver threw: the caller sees only a generic INTERNAL_SERVER_ERROR, so the log is
/// where the operator finds what failed. (GraphQL.NET keeps the handler registered on the schema builder and drops
/// one set on the execution options, so both jobs are done here.)
/// </summary>
public static class DomainErrors
{
    public static void Handle(UnhandledExceptionContext context)
    {
        if (Find(context.OriginalException) is { } refused)
        {
            context.Exception = new ExecutionError(refused.Message) { Code = refused.Code };
            return;
        }
        var logger = context.ExecutionOptions.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger(typeof(DomainErrors));
        logger?.LogError(context.OriginalException, "GraphQL operation {Operation} failed: field {Field}",
            context.Context?.Operation.Name?.StringValue ?? context.ExecutionOptions.OperationName ?? "(unnamed)", context.FieldContext?.FieldDefinition.Name);
    }

    private static ChannelException? Find(Exception? exception) => exception switch
    {
        null => null,
        ChannelException refused => refused,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find).FirstOrDefault(e => e is not null),
        _ => Find(exception.InnerException),
    };
}
