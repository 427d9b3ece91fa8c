using System.Security.Claims;
using System.Text.Json;
using GraphQL;
using GraphQL.Execution;
using GraphQLParser.AST;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ChannelGrains.Api.Transport;

/// <summary>
/// GraphQL over HTTP: POST with a JSON body, GET with query parameters (queries only), a bearer token required.
/// Status codes follow the GraphQL-over-HTTP draft for application/graphql-response+json; a legacy
/// application/json response keeps 200 for validation errors.
/// </summary>
public sealed class GraphQLHttpEndpoint(OperationExecutor executor, IGraphQLTextSerializer serializer, IOptions<GraphQLTransportOptions> options)
{
    private const string AllowedMethods = "GET, POST";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var isGet = HttpMethods.IsGet(request.Method);
        if (!isGet && !HttpMethods.IsPost(request.Method))
        {
            await FailAsync(context, StatusCodes.Status405MethodNotAllowed, ResponseFormat.Json, TransportErrorCodes.MethodNotAllowed,
                $"Method {request.Method} is not allowed; use GET or POST.", allow: AllowedMethods);
            return;
        }
        if (MediaTypes.Negotiate(request.Headers.Accept) is not { } format)
        {
            await FailAsync(context, StatusCodes.Status406NotAcceptable, ResponseFormat.Json, TransportErrorCodes.NotAcceptable,
                $"The Accept header allows neither {MediaTypes.GraphQLResponseJson} nor {MediaTypes.Json}.");
            return;
        }
        var user = await AuthenticateAsync(context);
        if (user is null)
        {
            var presented = request.Headers.Authorization.Count > 0;
            context.Response.Headers.WWWAuthenticate = presented ? "Bearer error=\"invalid_token\"" : "Bearer";
            await FailAsync(context, StatusCodes.Status401Unauthorized, format, TransportErrorCodes.Unauthenticated,
                presented ? "The bearer token is invalid or expired." : "A bearer token is required.");
            return;
        }

        RequestReadResult read;
        if (isGet)
        {
            read = GraphQLRequestReader.Read(request.Query, serializer);
        }
        else
        {
            if (!MediaTypes.IsJsonRequest(request.ContentType))
            {
                await FailAsync(context, StatusCodes.Status415UnsupportedMediaType, format, TransportErrorCodes.UnsupportedMediaType,
                    $"The request body must be {MediaTypes.Json} (UTF-8).");
                return;
            }
            var body = await ReadBodyAsync(request, options.Value.MaxRequestBytes, context.RequestAborted);
            if (body is null)
            {
                await FailAsync(context, StatusCodes.Status413PayloadTooLarge, format, TransportErrorCodes.RequestTooLarge,
                    $"The request body is larger than the limit of {options.Value.MaxRequestBytes} bytes.");
                return;
            }
            read = ReadJson(body.Value);
        }
        if (read.Request is null)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, format, TransportErrorCodes.BadRequest, read.Error!);
            return;
        }

        var prepared = executor.Prepare(read.Request, out var parseError);
        if (prepared is null)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, format, new ExecutionResult(parseError!));
            return;
        }
        if (prepared.Kind == OperationType.Mutation && isGet)
        {
            await FailAsync(context, StatusCodes.Status405MethodNotAllowed, format, TransportErrorCodes.MethodNotAllowed,
                "Mutations are not allowed over GET; use POST.", allow: "POST");
            return;
        }
        if (prepared.Kind == OperationType.Subscription)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, format, TransportErrorCodes.BadRequest,
                "Subscriptions are served over WebSocket (graphql-transport-ws) at this path.");
            return;
        }

        ExecutionResult result;
        try
        {
            result = await executor.ExecuteAsync(prepared, user, context.RequestServices, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away
        }
        await WriteAsync(context, StatusFor(result, format), format, result);
    }

    private static async Task<ClaimsPrincipal?> AuthenticateAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync();
        return result.Succeeded && result.Principal?.Identity?.IsAuthenticated == true ? result.Principal : null;
    }

    // Executed (data present): 200. Refused before execution: a document error is 422 under
    // graphql-response+json and 200 under legacy application/json; anything else is the server's fault.
    private static int StatusFor(ExecutionResult result, ResponseFormat format)
    {
        if (result.Executed) return StatusCodes.Status200OK;
        var documentErrors = result.Errors is { Count: > 0 } errors && errors.All(e => e is DocumentError);
        if (!documentErrors) return StatusCodes.Status500InternalServerError;
        return format == ResponseFormat.GraphQLResponseJson ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK;
    }

    private RequestReadResult ReadJson(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return GraphQLRequestReader.Read(json.RootElement, serializer);
        }
        catch (JsonException)
        {
            return RequestReadResult.Fail("The request body is not valid JSON.");
        }
    }

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    /// <summary>The body, or null when it is larger than <paramref name="limit"/>. Read into one array of the announced length (plus the byte that shows the end).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit) return null;
        var most = Math.Min(limit + 1L, Array.MaxLength);
        var buffer = new byte[Math.Min(request.ContentLength is { } length ? length + 1 : 4096, most)];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (filled > limit || filled >= most) return null;
                Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, most));
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0) return filled > limit ? null : buffer.AsMemory(0, filled);
            filled += read;
        }
    }

    private Task FailAsync(HttpContext context, int status, ResponseFormat format, string code, string message, string? allow = null)
    {
        if (allow is not null) context.Response.Headers[HeaderNames.Allow] = allow;
        return WriteAsync(context, status, format, new ExecutionResult(TransportErrorCodes.Error(code, message)));
    }

    private async Task WriteAsync(HttpContext context, int status, ResponseFormat format, ExecutionResult result)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = MediaTypes.ContentType(format);
        await serializer.WriteAsync(context.Response.Body, result, context.RequestAborted);
    }
}
