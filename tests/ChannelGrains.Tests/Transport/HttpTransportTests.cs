using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ChannelGrains.Tests.Transport;

[Collection(TransportCollection.Name)]
public sealed class HttpTransportTests(TransportServer server) : IDisposable
{
    private const string GraphQLResponse = "application/graphql-response+json";
    private const string SpecAccept = "application/graphql-response+json, application/json;q=0.9";

    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Post_query_answers_200_in_graphql_response_json()
    {
        var response = await PostAsync(new { query = "{ hello }" });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(GraphQLResponse, response.MediaType);
        Assert.Equal("Hello, world", response.Json.GetProperty("data").GetProperty("hello").GetString());
    }

    [Fact]
    public async Task Legacy_accept_gets_application_json()
    {
        var response = await PostAsync(new { query = "{ hello }" }, accept: "application/json");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("application/json", response.MediaType);
    }

    [Fact]
    public async Task No_accept_header_is_answered_as_a_legacy_client_in_application_json()
    {
        var response = await PostAsync(new { query = "{ hello }" }, accept: null);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("application/json", response.MediaType);
    }

    [Theory]
    [InlineData("*/*", GraphQLResponse)]
    [InlineData("application/*", GraphQLResponse)]
    [InlineData("application/json, */*;q=0.5", "application/json")]
    [InlineData("application/graphql-response+json;q=0.5, application/json", "application/json")]
    public async Task Accept_header_picks_the_preferred_media_type(string accept, string expected)
    {
        var response = await PostAsync(new { query = "{ hello }" }, accept: accept);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(expected, response.MediaType);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml, text/plain;q=0.5")]
    [InlineData("application/json;q=0, application/graphql-response+json;q=0")]
    public async Task Accept_allowing_neither_type_is_406(string accept)
    {
        var response = await PostAsync(new { query = "{ hello }" }, accept: accept);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.Status);
        Assert.Equal("NOT_ACCEPTABLE", response.FirstErrorCode);
    }

    [Fact]
    public async Task Get_runs_a_query_with_variables_from_the_query_string()
    {
        var query = Uri.EscapeDataString("query Greet($name: String) { hello(name: $name) }");
        var variables = Uri.EscapeDataString("""{"name":"GET"}""");

        var response = await SendAsync(HttpMethod.Get, $"?query={query}&variables={variables}&operationName=Greet");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("Hello, GET", response.Json.GetProperty("data").GetProperty("hello").GetString());
    }

    [Fact]
    public async Task Mutation_over_get_is_405_allowing_post_and_does_not_run()
    {
        var response = await SendAsync(HttpMethod.Get, "?query=" + Uri.EscapeDataString("mutation { echo(message: \"x\") }"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.Status);
        Assert.Equal(["POST"], response.Allow);
        Assert.Equal("METHOD_NOT_ALLOWED", response.FirstErrorCode);
    }

    [Fact]
    public async Task Mutation_over_post_runs()
    {
        var response = await PostAsync(new { query = "mutation Echo($m: String!) { echo(message: $m) }", variables = new { m = "hi" } });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("hi", response.Json.GetProperty("data").GetProperty("echo").GetString());
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Other_methods_are_405_allowing_get_and_post(string method)
    {
        var response = await SendAsync(new HttpMethod(method), "", new StringContent("""{"query":"{ hello }"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.Status);
        Assert.Equal(["GET", "POST"], response.Allow);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData(null)]
    public async Task Unsupported_request_content_type_is_415(string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"query":"{ hello }"}"""));
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await SendAsync(HttpMethod.Post, "", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.Status);
        Assert.Equal("UNSUPPORTED_MEDIA_TYPE", response.FirstErrorCode);
    }

    /// <summary>Found by a bad-input pass: these answered 500 with an empty body (System.Text.Json checks a string only when it is read).</summary>
    [Theory]
    [InlineData("""{"query":"{ hello }","operationName":"#C3"}""")]
    [InlineData("""{"query":"{ hello #FF }"}""")]
    [InlineData("""{"qu#FFery":"{ hello }"}""")]
    [InlineData("""{"query":"{ hello(name: \"\ud800\") }"}""")]
    public async Task Json_with_invalid_utf8_or_half_a_surrogate_pair_is_400(string body)
    {
        // "#C3" and "#FF" stand for those raw bytes, which no C# string holds.
        var bytes = System.Text.RegularExpressions.Regex.Split(body, "(#C3|#FF)")
            .SelectMany(part => part switch { "#C3" => [0xC3], "#FF" => [0xFF], _ => Encoding.UTF8.GetBytes(part) }).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await SendAsync(HttpMethod.Post, "", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("BAD_REQUEST", response.FirstErrorCode);
    }

    [Theory]
    [InlineData("NONSENSE")]
    [InlineData("""{"query":""")]
    public async Task Unparseable_json_is_400(string body)
    {
        var response = await PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("BAD_REQUEST", response.FirstErrorCode);
    }

    [Theory]
    [InlineData("""{"qeury":"{ hello }"}""")]
    [InlineData("""{"query":null}""")]
    [InlineData("""{"query":42}""")]
    [InlineData("""{"query":"{ hello }","variables":[7]}""")]
    [InlineData("""{"query":"{ hello }","operationName":7}""")]
    [InlineData("""["{ hello }"]""")]
    public async Task Request_without_a_string_query_or_with_ill_typed_parameters_is_400(string body)
    {
        var response = await PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("BAD_REQUEST", response.FirstErrorCode);
    }

    [Theory]
    [InlineData(SpecAccept)]
    [InlineData("application/json")]
    public async Task Unparseable_document_is_400_with_code_validation(string accept)
    {
        var response = await PostAsync(new { query = "{" }, accept: accept);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("VALIDATION", response.FirstErrorCode);
        Assert.Equal("SYNTAX_ERROR", response.FirstError.GetProperty("extensions").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Validation_failure_is_422_in_graphql_response_json()
    {
        var response = await PostAsync(new { query = "{ noSuchField }" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal(GraphQLResponse, response.MediaType);
        Assert.Equal("VALIDATION", response.FirstErrorCode);
        Assert.False(response.Json.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task Validation_failure_is_200_in_legacy_application_json()
    {
        var response = await PostAsync(new { query = "{ noSuchField }" }, accept: "application/json");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("VALIDATION", response.FirstErrorCode);
    }

    [Theory]
    [InlineData("""{"query":"query A { hello } query B { hello }"}""")]
    [InlineData("""{"query":"query A { hello }","operationName":"C"}""")]
    [InlineData("""{"query":"query Q($n: Int!) { items(first: $n) { id } }","variables":{"n":"many"}}""")]
    public async Task Ambiguous_operation_or_uncoercible_variables_is_422(string body)
    {
        var response = await PostRawAsync(body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal("VALIDATION", response.FirstErrorCode);
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_with_a_clear_error()
    {
        var padding = new string(' ', 1024 * 1024);
        var response = await PostRawAsync("{\"query\":\"{ hello }\"" + padding + "}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("REQUEST_TOO_LARGE", response.FirstErrorCode);
        Assert.Contains("1048576", response.FirstError.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_413()
    {
        var body = Encoding.UTF8.GetBytes("{\"query\":\"{ hello }\"" + new string(' ', 1024 * 1024) + "}");
        var content = new StreamContent(new MemoryStream(body)); // no Content-Length: sent chunked
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await SendAsync(HttpMethod.Post, "", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
    }

    [Fact]
    public async Task Query_deeper_than_the_limit_is_refused_with_code_validation()
    {
        var response = await PostAsync(new { query = DeepQuery(20) });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal("VALIDATION", response.FirstErrorCode);
        Assert.Equal("COMPLEXITY", response.FirstError.GetProperty("extensions").GetProperty("reason").GetString());
        Assert.Contains("nested", response.FirstError.GetProperty("message").GetString());
    }

    /// <summary>
    /// Found by a bad-input pass: 3,000 fields of one name with different arguments (100 KB) held a core for minutes in
    /// GraphQL.NET's check that such fields merge, which compares every pair, before the complexity limit could refuse.
    /// </summary>
    [Fact]
    public async Task A_name_selected_more_often_than_the_limit_is_refused_before_validation_also_through_fragments_and_aliases_pass()
    {
        var repeated = "{ " + string.Join(" ", Enumerable.Range(0, 500).Select(i => $"hello(name: \"{i}\")")) + " }";
        var spread = "{ " + string.Join(" ", Enumerable.Range(0, 40).Select(i => $"...F{i}")) + " } "
            + string.Join(" ", Enumerable.Range(0, 40).Select(i => $"fragment F{i} on Query {{ hello(name: \"{i}\") }}"));
        var wide = "{ " + string.Join(" ", Enumerable.Range(0, 2001).Select(i => $"a{i}: hello")) + " }";

        foreach (var (query, says) in new[] { (repeated, "'hello' is selected more than 32 times"), (spread, "'hello' is selected more than 32 times"), (wide, "more than 2000") })
        {
            var response = await PostAsync(new { query });
            Assert.Equal(HttpStatusCode.BadRequest, response.Status);
            Assert.Equal("VALIDATION", response.FirstErrorCode);
            Assert.Equal("DOCUMENT_TOO_WIDE", response.FirstError.GetProperty("extensions").GetProperty("reason").GetString());
            Assert.Contains(says, response.FirstError.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        var aliased = await PostAsync(new { query = "{ " + string.Join(" ", Enumerable.Range(0, 200).Select(i => $"a{i}: hello(name: \"{i}\")")) + " }" });
        Assert.Equal(HttpStatusCode.OK, aliased.Status);
        Assert.Equal("Hello, 199", aliased.Json.GetProperty("data").GetProperty("a199").GetString());
    }

    [Fact]
    public async Task Query_within_the_depth_limit_runs()
    {
        var response = await PostAsync(new { query = DeepQuery(10) });

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task Query_more_complex_than_the_limit_is_refused_with_code_validation()
    {
        var response = await PostAsync(new { query = "{ items(first: 100) { children(first: 100) { id } } }" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal("VALIDATION", response.FirstErrorCode);
        Assert.Contains("complex", response.FirstError.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_cached_document_is_still_checked_for_complexity_with_new_variables()
    {
        const string query = "query Items($n: Int) { items(first: $n) { children(first: $n) { id } } }";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(new { query, variables = new { n = 2 } })).Status);
        var countAfterFirst = server.Documents.Count;

        var big = await PostAsync(new { query, variables = new { n = 100 } });

        Assert.Equal(countAfterFirst, server.Documents.Count); // the second request reused the parsed document
        Assert.Equal(HttpStatusCode.UnprocessableEntity, big.Status);
        Assert.Equal("VALIDATION", big.FirstErrorCode);
    }

    [Fact]
    public async Task A_cached_document_is_still_checked_for_complexity_when_a_variable_includes_a_selection()
    {
        const string query = "query Items($all: Boolean!) { items(first: 100) { id children(first: 100) @include(if: $all) { id } } }";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(new { query, variables = new { all = false } })).Status);

        var big = await PostAsync(new { query, variables = new { all = true } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, big.Status);
        Assert.Equal("VALIDATION", big.FirstErrorCode);
    }

    [Fact]
    public async Task A_cached_document_whose_complexity_is_fixed_still_has_its_variables_checked()
    {
        const string query = "query Hello($name: String) { hello(name: $name) }";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(new { query, variables = new { name = "x" } })).Status);

        var wrong = await PostAsync(new { query, variables = new { name = new[] { 1, 2 } } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.Status);
        Assert.Equal("VALIDATION", wrong.FirstErrorCode);
    }

    [Fact]
    public async Task Passing_validation_for_one_operation_does_not_excuse_another_of_the_same_document()
    {
        const string query = "query Good { hello } query Bad { hello(name: 7) }";
        await PostAsync(new { query, operationName = "Good" });
        await PostAsync(new { query, operationName = "Good" });

        var bad = await PostAsync(new { query, operationName = "Bad" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Equal("VALIDATION", bad.FirstErrorCode);
    }

    [Fact]
    public async Task Missing_token_is_401_with_a_bearer_challenge_and_code_unauthenticated()
    {
        var response = await PostAsync(new { query = "{ hello }" }, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("Bearer", response.WwwAuthenticate.Single().Scheme);
        Assert.Equal("UNAUTHENTICATED", response.FirstErrorCode);
    }

    [Theory]
    [InlineData("forged")]
    [InlineData("expired")]
    [InlineData("garbage")]
    public async Task Invalid_token_is_401_with_a_bearer_challenge(string kind)
    {
        var response = await PostAsync(new { query = "{ hello }" }, token: TransportServer.BadToken(kind));

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("Bearer", response.WwwAuthenticate.Single().Scheme);
        Assert.Equal("UNAUTHENTICATED", response.FirstErrorCode);
    }

    [Fact]
    public async Task Get_without_token_is_401()
    {
        var response = await SendAsync(HttpMethod.Get, "?query=" + Uri.EscapeDataString("{ hello }"), token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
    }

    [Fact]
    public async Task Resolvers_see_the_callers_principal()
    {
        var response = await PostAsync(new { query = "{ whoami }" }, token: TransportServer.Token("agent-42"));

        Assert.Equal("agent-42", response.Json.GetProperty("data").GetProperty("whoami").GetString());
    }

    [Fact]
    public async Task Resolver_error_code_reaches_extensions_code_with_partial_data_and_200()
    {
        var response = await PostAsync(new { query = "{ hello fail }" });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("Hello, world", response.Json.GetProperty("data").GetProperty("hello").GetString());
        Assert.Equal("NOT_FOUND", response.FirstErrorCode);
        Assert.Equal("No such dealer.", response.FirstError.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Unexpected_exception_is_hidden_behind_a_generic_internal_error()
    {
        var response = await PostAsync(new { query = "{ crash }" });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("INTERNAL_SERVER_ERROR", response.FirstErrorCode);
        Assert.DoesNotContain("hunter2", response.Body);
        Assert.DoesNotContain("InvalidOperation", response.Body);
        Assert.DoesNotContain("INVALID_OPERATION", response.Body);
    }

    [Fact]
    public async Task Subscription_over_http_is_refused()
    {
        var response = await PostAsync(new { query = "subscription { ticks(count: 1) }" });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("WebSocket", response.FirstError.GetProperty("message").GetString());
    }

    private static string DeepQuery(int depth) =>
        "{ deep { " + string.Concat(Enumerable.Repeat("next { ", depth - 1)) + "level" + new string('}', depth) + " }";

    private Task<Response> PostAsync(object body, string? accept = SpecAccept, string? token = "valid") =>
        PostRawAsync(JsonSerializer.Serialize(body), accept, token);

    private Task<Response> PostRawAsync(string body, string? accept = SpecAccept, string? token = "valid") =>
        SendAsync(HttpMethod.Post, "", new StringContent(body, Encoding.UTF8, "application/json"), accept, token);

    private async Task<Response> SendAsync(HttpMethod method, string query, HttpContent? content = null, string? accept = SpecAccept, string? token = "valid")
    {
        using var request = new HttpRequestMessage(method, server.HttpUri + query) { Content = content };
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token == "valid" ? TransportServer.Token() : token);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new Response(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body,
            response.Content.Headers.Allow.ToArray(), response.Headers.WwwAuthenticate.ToArray());
    }

    private sealed record Response(HttpStatusCode Status, string? MediaType, string Body, string[] Allow, AuthenticationHeaderValue[] WwwAuthenticate)
    {
        public JsonElement Json { get; } = Body.Length == 0 ? default : JsonDocument.Parse(Body).RootElement;

        public JsonElement FirstError => Json.GetProperty("errors")[0];

        public string? FirstErrorCode => FirstError.GetProperty("extensions").GetProperty("code").GetString();
    }
}
