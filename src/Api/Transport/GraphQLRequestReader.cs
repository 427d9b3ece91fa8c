using System.Text.Json;
using GraphQL;
using GraphQL.Transport;
using Microsoft.Extensions.Primitives;

namespace ChannelGrains.Api.Transport;

/// <summary>A GraphQL request read from JSON or a query string, or why it is not a well-formed one.</summary>
public readonly record struct RequestReadResult(GraphQLRequest? Request, string? Error)
{
    public static RequestReadResult Fail(string error) => new(null, error);
}

/// <summary>Reads the parameters <c>query</c>, <c>operationName</c>, <c>variables</c>, <c>extensions</c>; other properties are ignored.</summary>
public static class GraphQLRequestReader
{
    /// <summary>From a JSON object: a POST body, or the payload of a graphql-transport-ws <c>subscribe</c>.</summary>
    public static RequestReadResult Read(JsonElement json, IGraphQLSerializer serializer)
    {
        if (json.ValueKind != JsonValueKind.Object)
            return RequestReadResult.Fail("The request must be a JSON object.");
        try
        {
            return ReadObject(json, serializer);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json checks a string's UTF-8 (and its escapes) only when the string is read.
            return RequestReadResult.Fail("The request holds a string that is not valid UTF-8 or escapes half a surrogate pair.");
        }
    }

    private static RequestReadResult ReadObject(JsonElement json, IGraphQLSerializer serializer)
    {
        var request = new GraphQLRequest();
        foreach (var property in json.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "query":
                    if (value.ValueKind == JsonValueKind.Null) break;
                    if (value.ValueKind != JsonValueKind.String) return RequestReadResult.Fail("'query' must be a string.");
                    request.Query = value.GetString();
                    break;
                case "operationName":
                    if (value.ValueKind == JsonValueKind.Null) break;
                    if (value.ValueKind != JsonValueKind.String) return RequestReadResult.Fail("'operationName' must be a string.");
                    request.OperationName = NullIfEmpty(value.GetString());
                    break;
                case "variables":
                case "extensions":
                    if (value.ValueKind == JsonValueKind.Null) break;
                    if (value.ValueKind != JsonValueKind.Object) return RequestReadResult.Fail($"'{property.Name}' must be an object.");
                    var inputs = serializer.ReadNode<Inputs>(value);
                    if (property.Name == "variables") request.Variables = inputs; else request.Extensions = inputs;
                    break;
            }
        }
        return request.Query is null ? RequestReadResult.Fail("The request has no 'query'.") : new(request, null);
    }

    /// <summary>From the query string of a GET request; <c>variables</c> and <c>extensions</c> are JSON text.</summary>
    public static RequestReadResult Read(IQueryCollection query, IGraphQLSerializer serializer)
    {
        var request = new GraphQLRequest();
        foreach (var name in new[] { "query", "operationName", "variables", "extensions" })
        {
            var values = query[name];
            if (values.Count > 1) return RequestReadResult.Fail($"'{name}' is given more than once.");
            if (StringValues.IsNullOrEmpty(values)) continue;
            var text = values.ToString();
            switch (name)
            {
                case "query": request.Query = text; break;
                case "operationName": request.OperationName = text; break;
                default:
                    var inputs = ReadJsonObject(text, serializer);
                    if (inputs is null) return RequestReadResult.Fail($"'{name}' must be a JSON object.");
                    if (name == "variables") request.Variables = inputs; else request.Extensions = inputs;
                    break;
            }
        }
        return request.Query is null ? RequestReadResult.Fail("The request has no 'query'.") : new(request, null);
    }

    private static Inputs? ReadJsonObject(string text, IGraphQLSerializer serializer)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? serializer.ReadNode<Inputs>(document.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
