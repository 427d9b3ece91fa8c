using GraphQL;
using GraphQL.Execution;

namespace ChannelGrains.Api.Transport;

/// <summary>The <c>extensions.code</c> values the transports themselves produce.</summary>
public static class TransportErrorCodes
{
    public const string Unauthenticated = "UNAUTHENTICATED";
    /// <summary>Any error in the GraphQL document: syntax, validation, depth, complexity, variables, operation choice.</summary>
    public const string Validation = "VALIDATION";
    public const string BadRequest = "BAD_REQUEST";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string NotAcceptable = "NOT_ACCEPTABLE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string RequestTooLarge = "REQUEST_TOO_LARGE";
    public const string TooManyOperations = "TOO_MANY_OPERATIONS";
    public const string InternalServerError = "INTERNAL_SERVER_ERROR";

    internal static ExecutionError Error(string code, string message) => new(message) { Code = code };
}

/// <summary>
/// How errors are written: <c>message</c> and <c>extensions.code</c>, never exception types, stack traces or data.
/// Document errors carry code VALIDATION with GraphQL.NET's own code in <c>extensions.reason</c>; an exception a
/// resolver did not turn into an <see cref="ExecutionError"/> becomes INTERNAL_SERVER_ERROR with a generic message.
/// </summary>
public class TransportErrorInfoProvider() : ErrorInfoProvider(new ErrorInfoProviderOptions
{
    ExposeExceptionDetails = false,
    ExposeCode = true,
    ExposeCodes = false,
    ExposeData = false,
})
{
    public override ErrorInfo GetInfo(ExecutionError executionError)
    {
        if (executionError is UnhandledError)
            return WithCode(executionError.Message, TransportErrorCodes.InternalServerError);

        var info = base.GetInfo(executionError);
        if (executionError is DocumentError)
        {
            var extensions = info.Extensions is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(info.Extensions);
            if (executionError.Code is { } reason && reason != TransportErrorCodes.Validation)
                extensions["reason"] = reason;
            extensions["code"] = TransportErrorCodes.Validation;
            info.Extensions = extensions;
        }
        return info;
    }

    private static ErrorInfo WithCode(string message, string code) =>
        new() { Message = message, Extensions = new Dictionary<string, object?> { ["code"] = code } };
}
