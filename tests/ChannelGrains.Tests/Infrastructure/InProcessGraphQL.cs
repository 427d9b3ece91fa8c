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
        var serializer = services.GetRequiredService<IGraphQLTextSerializer>();
        var result = await services.GetRequiredService<IDocumentExecuter<ISchema>>().ExecuteAsync(new ExecutionOptions
        {
            Query = query,
            Variables = variables is null ? null : serializer.Deserialize<Inputs>(JsonSerializer.Serialize(variables)),
            User = Principal(caller),
            RequestServices = services,
        });
        if (result.Errors?.FirstOrDefault(e => e.Code == "INVALID_OPERATION") is { } broken) throw new InvalidOperationException("The schema failed to execute the document.", broken.InnerException);
        return JsonDocument.Parse(serializer.Serialize(result)).RootElement.Clone();
    }

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
