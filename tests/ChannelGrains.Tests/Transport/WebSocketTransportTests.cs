using ChannelGrains.Tests.Infrastructure;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;

namespace ChannelGrains.Tests.Transport;

[Collection(TransportCollection.Name)]
public sealed class WebSocketTransportTests(TransportServer server)
{
    [Fact]
    public async Task Connection_init_with_a_token_is_acknowledged_and_ping_gets_pong()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);
        Assert.Equal(WsClient.Protocol, client.SubProtocol);

        await client.SendAsync(new { type = "ping", payload = new { at = 1 } });
        var pong = await client.ReceiveAsync();

        Assert.Equal("pong", pong.Type());
        Assert.Equal(1, pong.Payload().GetProperty("at").GetInt32());
    }

    [Fact]
    public async Task Server_pong_and_unsolicited_client_pong_are_accepted()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);

        await client.SendAsync(new { type = "pong" });
        await client.SendAsync(new { type = "ping" });

        Assert.Equal("pong", (await client.ReceiveAsync()).Type());
    }

    [Fact]
    public async Task Bearer_header_on_the_upgrade_request_authenticates_an_empty_connection_init()
    {
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri, bearer: TransportServer.Token("rep-9"));
        await client.SendAsync(new { type = "connection_init" });
        Assert.Equal("connection_ack", (await client.ReceiveAsync()).Type());

        await client.SubscribeAsync("1", "{ whoami }");

        Assert.Equal("rep-9", (await client.ReceiveAsync()).Payload().GetProperty("data").GetProperty("whoami").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("forged")]
    [InlineData("expired")]
    [InlineData("garbage")]
    public async Task Connection_init_without_a_valid_token_closes_4403(string? kind)
    {
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri);
        object payload = kind is null ? new { } : new { token = TransportServer.BadToken(kind) };

        await client.SendAsync(new { type = "connection_init", payload });

        Assert.Equal((4403, "Forbidden"), await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Socket_closes_4403_when_its_token_expires()
    {
        // Expired 28 s ago: still accepted within the 30 s clock skew, for about 2 s more.
        var token = TransportServer.TokenExpiringAt(DateTime.UtcNow.AddSeconds(-28));
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri);
        await client.SendAsync(new { type = "connection_init", payload = new { token } });
        Assert.Equal("connection_ack", (await client.ReceiveAsync()).Type());

        var close = await client.ReceiveCloseAsync(TimeSpan.FromSeconds(15));

        Assert.Equal((4403, "Forbidden: the token expired"), close);
    }

    [Fact]
    public async Task No_connection_init_within_the_timeout_closes_4408()
    {
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri);

        var close = await client.ReceiveCloseAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((4408, "Connection initialisation timeout"), close);
    }

    [Fact]
    public async Task Second_connection_init_closes_4429()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);

        await client.SendAsync(new { type = "connection_init", payload = new { token = TransportServer.Token() } });

        Assert.Equal((4429, "Too many initialisation requests"), await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Subscribe_before_acknowledgement_closes_4401()
    {
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri);

        await client.SubscribeAsync("1", "{ hello }");

        Assert.Equal((4401, "Unauthorized"), await client.ReceiveCloseAsync());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"payload":{}}""")]
    [InlineData("""{"type":"bogus"}""")]
    [InlineData("""{"type":"next","id":"1","payload":{}}""")]
    [InlineData("""{"type":"subscribe","payload":{"query":"{ hello }"}}""")]
    [InlineData("""{"type":"subscribe","id":"","payload":{"query":"{ hello }"}}""")]
    [InlineData("""{"type":"subscribe","id":"1","payload":{"variables":{}}}""")]
    [InlineData("""{"type":"subscribe","id":"1"}""")]
    [InlineData("""{"type":"complete"}""")]
    [InlineData("""{"type":"ping","payload":"text"}""")]
    [InlineData("""{"type":"subscribe","id":"1","payload":{"query":"{ hello(name: \"\ud800\") }"}}""")] // closed 1011 before
    public async Task Invalid_message_closes_4400(string message)
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);

        await client.SendRawAsync(message);

        var (code, reason) = await client.ReceiveCloseAsync();
        Assert.Equal(4400, code);
        Assert.StartsWith("Invalid message received", reason);
    }

    [Fact]
    public async Task Client_other_than_graphql_transport_ws_is_closed_4406()
    {
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri, subProtocol: null);

        Assert.Equal((4406, "Subprotocol not acceptable"), await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Subscribing_twice_with_one_id_closes_4409()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);
        await client.SubscribeAsync("dup", "subscription { ticks(tag: \"dup\") }");

        await client.SubscribeAsync("dup", "{ hello }");

        Assert.Equal((4409, "Subscriber for dup already exists"), await client.ReceiveCloseAsync());
        await Eventually.HoldsAsync(() => server.Ticks.Active("dup") == 0, "the closed socket's subscription is disposed");
    }

    [Fact]
    public async Task Subscription_sends_each_event_as_next_then_complete()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);

        await client.SubscribeAsync("s1", "subscription Ticks($n: Int) { ticks(count: $n) }", new { n = 3 });

        for (var i = 1; i <= 3; i++)
        {
            var next = await client.ReceiveAsync();
            Assert.Equal(("next", "s1"), (next.Type(), next.Id()));
            Assert.Equal(i, next.Payload().GetProperty("data").GetProperty("ticks").GetInt32());
        }
        var complete = await client.ReceiveAsync();
        Assert.Equal(("complete", "s1"), (complete.Type(), complete.Id()));
    }

    [Fact]
    public async Task Query_and_mutation_give_one_next_then_complete_and_the_id_is_free_again()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);

        await client.SubscribeAsync("q", "{ hello(name: \"ws\") }");
        var next = await client.ReceiveAsync();
        Assert.Equal("Hello, ws", next.Payload().GetProperty("data").GetProperty("hello").GetString());
        var complete = await client.ReceiveAsync();
        Assert.Equal(("complete", "q"), (complete.Type(), complete.Id()));

        await client.SubscribeAsync("q", "mutation { echo(message: \"again\") }");
        Assert.Equal("again", (await client.ReceiveAsync()).Payload().GetProperty("data").GetProperty("echo").GetString());
        Assert.Equal("complete", (await client.ReceiveAsync()).Type());
    }

    [Theory]
    [InlineData("{ noSuchField }", "FIELDS_ON_CORRECT_TYPE")]
    [InlineData("{", "SYNTAX_ERROR")]
    [InlineData("{ items(first: 100) { children(first: 100) { id } } }", "COMPLEXITY")]
    public async Task Document_errors_give_an_error_message_with_code_validation(string query, string reason)
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);

        await client.SubscribeAsync("bad", query);

        var error = await client.ReceiveAsync();
        Assert.Equal(("error", "bad"), (error.Type(), error.Id()));
        var first = error.Payload()[0];
        Assert.Equal("VALIDATION", first.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal(reason, first.GetProperty("extensions").GetProperty("reason").GetString());
        await client.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await client.ReceiveAsync()).Type()); // no complete follows an error
    }

    [Fact]
    public async Task Resolver_error_code_reaches_the_next_payload()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);

        await client.SubscribeAsync("f", "{ fail }");

        var next = await client.ReceiveAsync();
        Assert.Equal("next", next.Type());
        Assert.Equal("NOT_FOUND", next.Payload().GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal("complete", (await client.ReceiveAsync()).Type());
    }

    [Fact]
    public async Task Failing_stream_gives_an_error_message_with_its_code()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);

        await client.SubscribeAsync("e", "subscription { failingTicks }");

        Assert.Equal("next", (await client.ReceiveAsync()).Type());
        var error = await client.ReceiveAsync();
        Assert.Equal(("error", "e"), (error.Type(), error.Id()));
        Assert.Equal("TICKER_BROKE", error.Payload()[0].GetProperty("extensions").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Client_complete_disposes_the_server_side_subscription_and_stops_its_events()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);
        await client.SubscribeAsync("c", "subscription { ticks(tag: \"client-complete\") }");
        Assert.Equal("next", (await client.ReceiveAsync()).Type());
        Assert.Equal(1, server.Ticks.Active("client-complete"));

        await client.SendAsync(new { id = "c", type = "complete" });

        await Eventually.HoldsAsync(() => server.Ticks.Active("client-complete") == 0, "the observable subscription is disposed");
        Assert.Equal(1, server.Ticks.Disposed("client-complete"));
        await client.SendAsync(new { type = "ping" });
        while ((await client.ReceiveAsync()).Type() != "pong") { } // events already on the wire may arrive
        await Task.Delay(TickSource.Interval * 5);
        await client.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await client.ReceiveAsync()).Type()); // and nothing after them
    }

    [Fact]
    public async Task Closing_the_socket_disposes_the_server_side_subscriptions()
    {
        var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);
        await client.SubscribeAsync("a", "subscription { ticks(tag: \"socket-close\") }");
        await client.SubscribeAsync("b", "subscription { ticks(tag: \"socket-close\") }");
        await client.ReceiveAsync();
        await Eventually.HoldsAsync(() => server.Ticks.Active("socket-close") == 2, "both subscriptions are live");

        await client.DisposeAsync();

        await Eventually.HoldsAsync(() => server.Ticks.Active("socket-close") == 0, "both observable subscriptions are disposed");
        Assert.Equal(2, server.Ticks.Disposed("socket-close"));
    }

    [Fact]
    public async Task Operations_beyond_the_per_socket_limit_get_an_error()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);
        for (var i = 0; i < 5; i++) await client.SubscribeAsync($"live{i}", "subscription { ticks(tag: \"limit\") }");
        await Eventually.HoldsAsync(() => server.Ticks.Active("limit") == 5, "five subscriptions are live");

        await client.SubscribeAsync("sixth", "{ hello }");

        JsonElement message;
        do message = await client.ReceiveAsync(); while (message.Type() == "next");
        Assert.Equal(("error", "sixth"), (message.Type(), message.Id()));
        Assert.Equal("TOO_MANY_OPERATIONS", message.Payload()[0].GetProperty("extensions").GetProperty("code").GetString());
    }

    /// <summary>
    /// Found by a transport review: at the limit, a subscribe reusing the id of a live subscription got an error
    /// message with that id (which ends the live one for the client) while the server kept sending its events.
    /// </summary>
    [Fact]
    public async Task Reusing_a_live_id_at_the_per_socket_limit_closes_4409()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);
        for (var i = 0; i < 5; i++) await client.SubscribeAsync($"full{i}", "subscription { ticks(tag: \"limit-dup\") }");
        await Eventually.HoldsAsync(() => server.Ticks.Active("limit-dup") == 5, "five subscriptions are live");

        await client.SubscribeAsync("full0", "{ hello }");

        Assert.Equal((4409, "Subscriber for full0 already exists"), await client.ReceiveCloseAsync());
        await Eventually.HoldsAsync(() => server.Ticks.Active("limit-dup") == 0, "the closed socket's subscriptions are disposed");
    }

    [Fact]
    public async Task Message_over_the_size_limit_closes_1009()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);

        await client.SubscribeAsync("big", "{ hello }", new { padding = new string('x', 300 * 1024) });

        Assert.Equal((int)WebSocketCloseStatus.MessageTooBig, (await client.ReceiveCloseAsync()).Code);
    }

    /// <summary>Found by a transport review: a message past the limit was refused only once its last frame came, so one that never ends held the socket.</summary>
    [Fact]
    public async Task Message_over_the_size_limit_closes_1009_before_it_ends()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri);

        await client.SendFrameAsync("{\"type\":\"ping\",\"payload\":{\"padding\":\"" + new string('x', 300 * 1024), endOfMessage: false);

        Assert.Equal((int)WebSocketCloseStatus.MessageTooBig, (await client.ReceiveCloseAsync(TimeSpan.FromSeconds(3))).Code);
    }

    /// <summary>
    /// Found by a transport review: only the number of waiting messages was bounded, so a client that never read held
    /// up to a thousand results (over 300 MB of large query results) on the server, for hours.
    /// </summary>
    [Fact]
    public async Task Client_that_does_not_read_is_closed_1008_once_the_bytes_waiting_for_it_pass_the_limit()
    {
        var bounded = await TransportServer.StartAsync(new()
        {
            ["GraphQL:MaxPendingBytes"] = (1024 * 1024).ToString(CultureInfo.InvariantCulture),
            ["GraphQL:MaxOperationsPerSocket"] = "1000",
        });
        try
        {
            await using var client = await WsClient.ConnectAndInitAsync(bounded.WebSocketUri);
            var name = new string('x', 200 * 1024);

            // 30 MB of answers, far more than the loopback socket buffers take in, and far fewer than MaxPendingMessages.
            for (var i = 0; i < 150; i++) await client.SubscribeAsync($"q{i}", "query Q($name: String) { hello(name: $name) }", new { name });

            var (code, reason) = await client.ReceiveCloseAsync(TimeSpan.FromSeconds(30));
            Assert.Equal((int)WebSocketCloseStatus.PolicyViolation, code);
            Assert.Contains("reads too slowly", reason, StringComparison.Ordinal);
        }
        finally
        {
            await bounded.DisposeAsync();
        }
    }

    [Fact]
    public async Task Server_sends_keep_alive_pings_when_configured()
    {
        var quick = await TransportServer.StartAsync(new() { ["GraphQL:KeepAlive"] = "00:00:00.200" });
        try
        {
            await using var client = await WsClient.ConnectAndInitAsync(quick.WebSocketUri);

            Assert.Equal("ping", (await client.ReceiveAsync(TimeSpan.FromSeconds(5))).Type());
            await client.SendAsync(new { type = "pong" });
            Assert.Equal("ping", (await client.ReceiveAsync(TimeSpan.FromSeconds(5))).Type());
        }
        finally
        {
            await quick.DisposeAsync();
        }
    }
}
