using System.Security.Claims;
using System.Text.Json;
using ChannelGrains.Api.Auth;
using ChannelGrains.Api.Schema;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>
/// Executes documents against the served schema with a given caller, straight through GraphQL.NET and the grains
/// (no HTTP): for rule tests. The transports have their own tests over real sockets.
/// </summary>
public sealed class InProcessGraphQL : IDisposable
{
    private readonly ServiceProvider services;

    public InProcessGraphQL(IGrainFactory grains, IClusterClient client)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        collection.AddSingleton(grains);
        collection.AddSingleton(client);
        collection.AddChannelSchema();
        services = collection.BuildServiceProvider();
    }

    public async Task<JsonElement> ExecuteAsync(Caller caller, string query, object? variables = null)
    {
        var result = await RunAsync(caller, query, variables);
        if (result.Errors?.FirstOrDefault(e => e.Code == "INVALID_OPERATION") is { } broken) throw new InvalidOperationException("The schema failed to execute the document.", broken.InnerException);
        return Serialized(result);
    }

    /// <summary>
    /// Starts a subscription with a given caller: its refusal, or the events it sends (each a serialized result, its
    /// data or its errors) until disposed.
    /// </summary>
    public async Task<InProcessSubscription> SubscribeAsync(Caller caller, string query, object? variables = null)
    {
        var result = await RunAsync(caller, query, variables);
        var stream = result.Streams?.Values.FirstOrDefault();
        return new InProcessSubscription(stream is null ? Serialized(result) : null, stream, Serialized);
    }

    private async Task<ExecutionResult> RunAsync(Caller caller, string query, object? variables) =>
        await services.GetRequiredService<IDocumentExecuter<ISchema>>().ExecuteAsync(new ExecutionOptions
        {
            Query = query,
            Variables = variables is null ? null : Serializer.Deserialize<Inputs>(JsonSerializer.Serialize(variables)),
            User = Principal(caller),
            RequestServices = services,
        });

    private IGraphQLTextSerializer Serializer => services.GetRequiredService<IGraphQLTextSerializer>();

    private JsonElement Serialized(ExecutionResult result) => JsonDocument.Parse(Serializer.Serialize(result)).RootElement.Clone();

    public static ClaimsPrincipal Principal(Caller caller) => new(new ClaimsIdentity(
    [
        new Claim(Caller.TenantClaim, caller.Tenant),
        new Claim(Caller.RoleClaim, Caller.RoleName(caller.Role)),
        new Claim(Caller.SubjectClaim, caller.Subject),
        new Claim(Caller.RegionClaim, caller.Region),
    ], authenticationType: "test"));

    public void Dispose() => services.Dispose();
}

public static class GraphQLResult
{
    /// <summary>The <c>extensions.code</c> of the first error, or null when there is none.</summary>
    public static string? ErrorCode(this JsonElement result) =>
        result.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0
            ? errors[0].TryGetProperty("extensions", out var ext) && ext.TryGetProperty("code", out var code) ? code.GetString() : "(no code)"
            : null;

    public static JsonElement Data(this JsonElement result, params string[] path)
    {
        if (result.ErrorCode() is { } code) throw new Xunit.Sdk.XunitException($"GraphQL error {code}: {result}");
        var node = result.GetProperty("data");
        foreach (var step in path) node = node.GetProperty(step);
        return node;
    }
}

/// <summary>A subscription started by <see cref="InProcessGraphQL.SubscribeAsync"/>.</summary>
public sealed class InProcessSubscription : IObserver<ExecutionResult>, IDisposable
{
    private readonly System.Threading.Channels.Channel<JsonElement> events = System.Threading.Channels.Channel.CreateUnbounded<JsonElement>();
    private readonly Func<ExecutionResult, JsonElement> serialized;
    private readonly IDisposable? subscription;

    public InProcessSubscription(JsonElement? refusal, IObservable<ExecutionResult>? stream, Func<ExecutionResult, JsonElement> serialized)
    {
        Refusal = refusal;
        this.serialized = serialized;
        subscription = stream?.Subscribe(this);
    }

    /// <summary>The result with the error that refused the subscription; null when it started.</summary>
    public JsonElement? Refusal { get; }

    /// <summary>The next event, within 10 s.</summary>
    public async Task<JsonElement> NextAsync()
    {
        if (Refusal is { } refused) throw new Xunit.Sdk.XunitException($"The subscription was refused: {refused}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await events.Reader.ReadAsync(timeout.Token);
    }

    public void OnNext(ExecutionResult value) => events.Writer.TryWrite(serialized(value));

    public void OnError(Exception error) => events.Writer.TryComplete(error);

    public void OnCompleted() => events.Writer.TryComplete();

    public void Dispose() => subscription?.Dispose();
}
