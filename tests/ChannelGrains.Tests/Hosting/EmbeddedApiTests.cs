using System.Net;
using ChannelGrains.Tests.Infrastructure;
using ChannelGrains.Tests.Transport;
using Xunit.Abstractions;

namespace ChannelGrains.Tests.Hosting;

/// <summary>The embedded default mode as users run it: one real Api process, real HTTP and WebSocket clients.</summary>
public sealed class EmbeddedApiFixture : IAsyncLifetime
{
    public AppProcess Api { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Api = await AppProcess.StartApiAsync(new Dictionary<string, string> { ["Auth__SigningKey"] = ApiClient.TestSigningKey });

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

public sealed class EmbeddedApiTests(EmbeddedApiFixture fixture, ITestOutputHelper output) : IClassFixture<EmbeddedApiFixture>
{
    private readonly string tenant = TestTenant.New();

    private Uri WebSocketUri => new($"ws://127.0.0.1:{fixture.Api.HttpPort}/graphql");

    [Fact]
    public void Start_up_says_nothing_is_durable_and_how_to_switch()
    {
        output.WriteLine($"embedded Api start-up: {fixture.Api.StartupTime.TotalSeconds:F1} s");
        Assert.Contains("NOTHING IS DURABLE", fixture.Api.Output);
        Assert.Contains("ConnectionStrings__Channel", fixture.Api.Output);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not.a.token")]
    public async Task Calls_without_a_valid_token_get_401(string? token)
    {
        using var http = new HttpClient { BaseAddress = fixture.Api.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "graphql") { Content = System.Net.Http.Json.JsonContent.Create(new { query = "{ product(sku: \"P1\") { sku } }" }) };
        if (token is not null) request.Headers.Authorization = new("Bearer", token);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Token_signed_with_another_key_is_refused_with_401()
    {
        var forged = ChannelGrains.Api.Auth.TokenService.Issue(new(), "another-key-that-is-long-enough-to-sign-0123456789", tenant,
            ChannelGrains.Api.Auth.Role.Admin, "admin", "CN", TimeSpan.FromHours(1));
        using var http = new HttpClient { BaseAddress = fixture.Api.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "graphql?query=%7B__typename%7D");
        request.Headers.Authorization = new("Bearer", forged);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Correctly_signed_token_without_a_known_role_is_refused_with_401()
    {
        var noRole = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "channelgrains",
            Audience = "channelgrains",
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["tenant"] = tenant, ["sub"] = "x", ["role"] = "ROOT" },
            SigningCredentials = new(ChannelGrains.Api.Auth.SigningKeys.ToSecurityKey(ApiClient.TestSigningKey), "HS256"),
        });
        using var http = new HttpClient { BaseAddress = fixture.Api.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "graphql?query=%7B__typename%7D");
        request.Headers.Authorization = new("Bearer", noRole);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task WebSocket_without_a_token_is_closed_4403()
    {
        await using var socket = await WsClient.ConnectAsync(WebSocketUri);
        await socket.SendAsync(new { type = "connection_init", payload = new { } });

        Assert.Equal(4403, (await socket.ReceiveCloseAsync()).Code);
    }

    [Fact]
    public async Task DealerChanged_sends_the_dealer_then_a_change_made_over_http()
    {
        var admin = Callers.Admin(tenant);
        using var api = new ApiClient(fixture.Api.BaseAddress, ApiClient.Token(admin));
        const string upsert = "mutation($name: String!) { upsertDealer(input: {id: \"D1\", name: $name, region: \"CN/East\", tier: VALUE, status: ADMITTED, creditLimit: 10}) { id } }";
        Assert.Null((await api.PostAsync(upsert, new { name = "before" })).ErrorCode());
        await using var socket = await WsClient.ConnectAndInitAsync(WebSocketUri, ApiClient.Token(Callers.Dealer(tenant, "D1")));

        await socket.SubscribeAsync("s1", "subscription { dealerChanged(id: \"D1\") { name } }");
        var current = await socket.ReceiveAsync();
        Assert.Null((await api.PostAsync(upsert, new { name = "after" })).ErrorCode());
        var changed = await socket.ReceiveAsync(TimeSpan.FromSeconds(2));

        Assert.Equal("before", current.GetProperty("payload").GetProperty("data").GetProperty("dealerChanged").GetProperty("name").GetString());
        Assert.Equal("after", changed.GetProperty("payload").GetProperty("data").GetProperty("dealerChanged").GetProperty("name").GetString());
    }

    [Fact]
    public async Task OrderChanged_sends_each_order_of_the_dealer_as_it_is_placed_and_moves()
    {
        using var api = new ApiClient(fixture.Api.BaseAddress, ApiClient.Token(Callers.Admin(tenant)));
        await SeedDealerD1Async(api);
        await using var socket = await WsClient.ConnectAndInitAsync(WebSocketUri, ApiClient.Token(Callers.Dealer(tenant, "D1")));
        await socket.SubscribeAsync("o", "subscription { orderChanged(dealerId: \"D1\") { id status total } }");
        await Task.Delay(500); // the subscribe message has no acknowledgement in graphql-transport-ws

        Assert.Null((await api.PostAsync("mutation { placeOrder(input: {requestId: \"O1\", dealerId: \"D1\", lines: [{sku: \"P1\", quantity: 3}]}) { id } }")).ErrorCode());
        var placed = await socket.ReceiveAsync(TimeSpan.FromSeconds(2));
        Assert.Null((await api.PostAsync("mutation { shipOrder(id: \"O1\") { id } }")).ErrorCode());
        var shipped = await socket.ReceiveAsync(TimeSpan.FromSeconds(2));
        // A second order starts at its own version 1, below the first order's 2: it is news all the same.
        Assert.Null((await api.PostAsync("mutation { placeOrder(input: {requestId: \"O2\", dealerId: \"D1\", lines: [{sku: \"P1\", quantity: 1}]}) { id } }")).ErrorCode());
        var second = await socket.ReceiveAsync(TimeSpan.FromSeconds(2));

        var order = placed.GetProperty("payload").GetProperty("data").GetProperty("orderChanged");
        Assert.Equal("CONFIRMED", order.GetProperty("status").GetString());
        Assert.Equal(30m, order.GetProperty("total").GetDecimal());
        Assert.Equal("SHIPPED", shipped.GetProperty("payload").GetProperty("data").GetProperty("orderChanged").GetProperty("status").GetString());
        Assert.Equal("O2", second.GetProperty("payload").GetProperty("data").GetProperty("orderChanged").GetProperty("id").GetString());
    }

    [Fact]
    public async Task OrderChanged_starts_with_the_dealers_latest_order_so_one_placed_while_subscribing_is_not_missed()
    {
        using var api = new ApiClient(fixture.Api.BaseAddress, ApiClient.Token(Callers.Admin(tenant)));
        await SeedDealerD1Async(api);
        foreach (var id in new[] { "O1", "O2" })
            Assert.Null((await api.PostAsync($"mutation {{ placeOrder(input: {{requestId: \"{id}\", dealerId: \"D1\", lines: [{{sku: \"P1\", quantity: 1}}]}}) {{ id }} }}")).ErrorCode());
        await using var socket = await WsClient.ConnectAndInitAsync(WebSocketUri, ApiClient.Token(Callers.Dealer(tenant, "D1")));

        await socket.SubscribeAsync("o", "subscription { orderChanged(dealerId: \"D1\") { id status } }");
        var latest = await socket.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Null((await api.PostAsync("mutation { placeOrder(input: {requestId: \"O3\", dealerId: \"D1\", lines: [{sku: \"P1\", quantity: 1}]}) { id } }")).ErrorCode());
        var next = await socket.ReceiveAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("O2", latest.GetProperty("payload").GetProperty("data").GetProperty("orderChanged").GetProperty("id").GetString());
        Assert.Equal("O3", next.GetProperty("payload").GetProperty("data").GetProperty("orderChanged").GetProperty("id").GetString());
    }

    /// <summary>Product P1 with 100 in stock, and dealer D1 (East, credit 1,000) authorised for it.</summary>
    private static async Task SeedDealerD1Async(ApiClient api)
    {
        Assert.Null((await api.PostAsync("mutation { upsertProduct(input: {sku: \"P1\", name: \"Tea\", listPrice: 10, floorPrice: 8}) { sku } }")).ErrorCode());
        Assert.Null((await api.PostAsync("mutation { adjustStock(sku: \"P1\", delta: 100, reason: \"received\") { sku } }")).ErrorCode());
        Assert.Null((await api.PostAsync("mutation { upsertDealer(input: {id: \"D1\", name: \"D1\", region: \"CN/East\", tier: VALUE, status: ADMITTED, creditLimit: 1000, authorizedSkus: [\"P1\"]}) { id } }")).ErrorCode());
    }

    [Fact]
    public async Task Dealer_token_cannot_subscribe_to_another_dealer()
    {
        await using var socket = await WsClient.ConnectAndInitAsync(WebSocketUri, ApiClient.Token(Callers.Dealer(tenant, "D1")));

        await socket.SubscribeAsync("s1", "subscription { dealerChanged(id: \"D2\") { name } }");
        var refused = await socket.ReceiveAsync();

        // As graphql-ws does when the source stream cannot be created: one result with the error, then complete.
        Assert.Equal("next", refused.GetProperty("type").GetString());
        Assert.Equal("FORBIDDEN", refused.GetProperty("payload").GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal("complete", (await socket.ReceiveAsync()).GetProperty("type").GetString());
    }
}
