using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ChannelGrains.Api.Transport;

public enum ResponseFormat { GraphQLResponseJson, Json }

/// <summary>Content negotiation of GraphQL over HTTP: which response media type the Accept header allows, and which request bodies are understood.</summary>
public static class MediaTypes
{
    public const string GraphQLResponseJson = "application/graphql-response+json";
    public const string Json = "application/json";

    public static string ContentType(ResponseFormat format) =>
        format == ResponseFormat.GraphQLResponseJson ? GraphQLResponseJson + "; charset=utf-8" : Json + "; charset=utf-8";

    /// <summary>
    /// The response format the Accept header prefers, or null when it allows neither (406). No Accept header, or one
    /// that does not parse, means a legacy client: application/json. Equal quality goes to the more specific match,
    /// then to application/graphql-response+json.
    /// </summary>
    public static ResponseFormat? Negotiate(StringValues accept)
    {
        if (StringValues.IsNullOrEmpty(accept) || !MediaTypeHeaderValue.TryParseList(accept, out var ranges) || ranges.Count == 0)
            return ResponseFormat.Json;
        var graphql = Score(ranges, GraphQLResponseJson);
        var json = Score(ranges, Json);
        if (graphql.Quality <= 0 && json.Quality <= 0) return null;
        if (graphql.Quality != json.Quality) return graphql.Quality > json.Quality ? ResponseFormat.GraphQLResponseJson : ResponseFormat.Json;
        return json.Specificity > graphql.Specificity ? ResponseFormat.Json : ResponseFormat.GraphQLResponseJson;
    }

    /// <summary>True for <c>application/json</c> in UTF-8 (no charset, or charset utf-8).</summary>
    public static bool IsJsonRequest(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var type)) return false;
        if (!type.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase)) return false;
        return !type.Charset.HasValue || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || type.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }

    // Quality of the most specific range matching the type: 3 exact, 2 "application/*", 1 "*/*", 0 none.
    private static (double Quality, int Specificity) Score(IList<MediaTypeHeaderValue> ranges, string mediaType)
    {
        (double Quality, int Specificity) best = (0, 0);
        foreach (var range in ranges)
        {
            var specificity =
                range.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase) ? 3 :
                range.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase) ? 2 :
                range.MediaType.Equals("*/*", StringComparison.Ordinal) ? 1 : 0;
            var quality = range.Quality ?? 1;
            if (specificity > best.Specificity || (specificity == best.Specificity && specificity > 0 && quality > best.Quality))
                best = (quality, specificity);
        }
        return best;
    }
}
