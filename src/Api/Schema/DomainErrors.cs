using ChannelGrains.Common;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation;

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

/// <summary>Document validation failures (unknown enum value, wrong argument type, depth) all carry the contract code VALIDATION.</summary>
public sealed class ChannelErrorInfoProvider : ErrorInfoProvider
{
    public override ErrorInfo GetInfo(ExecutionError executionError)
    {
        var info = base.GetInfo(executionError);
        if (executionError is ValidationError validation)
        {
            var extensions = info.Extensions ?? new Dictionary<string, object?>();
            extensions["code"] = ErrorCodes.Validation;
            if (validation.Code is { } rule) extensions["rule"] = rule;
            extensions.Remove("codes");
            info.Extensions = extensions;
        }
        return info;
    }
}
