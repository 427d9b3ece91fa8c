using System.Security.Claims;
using ChannelGrains.Api.Auth;
using ChannelGrains.Api.Transport;
using GraphQL;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChannelGrains.Tests.Transport;

[CollectionDefinition(Name)]
public sealed class TransportCollection : ICollectionFixture<TransportServer>
{
    public const string Name = "Transport";
}

/// <summary>A real Kestrel server on 127.0.0.1 and a free port, hosting the test schema behind both transports.</summary>
public sealed class TransportServer : IAsyncLifetime
{
    public const string SigningKey = "transport-tests-only-signing-key-0123456789abcd"; // 48 characters, tests only
    public const string Path = "/graphql";

    private static readonly AuthOptions Auth = new() { SigningKey = SigningKey };

    private WebApplication? _app;

    /// <summary>Settings of the <c>GraphQL</c> section for this server, over the defaults.</summary>
    public Dictionary<string, string?> Settings { get; } = new()
    {
        ["GraphQL:ConnectionInitTimeout"] = "00:00:02",
        ["GraphQL:KeepAlive"] = "00:00:00",
        ["GraphQL:MaxOperationsPerSocket"] = "5",
    };

    public Uri HttpUri { get; private set; } = null!;

    public Uri WebSocketUri { get; private set; } = null!;

    public TickSource Ticks => _app!.Services.GetRequiredService<TickSource>();

    public DocumentCache Documents => _app!.Services.GetRequiredService<DocumentCache>();

    public static async Task<TransportServer> StartAsync(Dictionary<string, string?> settings)
    {
        var server = new TransportServer();
        foreach (var (key, value) in settings) server.Settings[key] = value;
        await server.InitializeAsync();
        return server;
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(Settings) { ["Auth:SigningKey"] = SigningKey });
        builder.Services.AddChannelAuth(builder.Configuration, allowDevelopmentKey: false);
        builder.Services.AddSingleton<TickSource>();
        builder.Services.AddGraphQL(b => b.AddSelfActivatingSchema<TestSchema>().AddSystemTextJson());
        builder.Services.AddGraphQLTransports(builder.Configuration);

        _app = builder.Build();
        _app.Urls.Add("http://127.0.0.1:0");
        _app.MapGraphQLTransports(Path);
        await _app.StartAsync();

        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        HttpUri = new Uri(new Uri(address), Path);
        WebSocketUri = new UriBuilder(HttpUri) { Scheme = "ws" }.Uri;
    }

    public async Task DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public static string Token(string subject = "dealer-7") =>
        TokenService.Issue(Auth, SigningKey, "tenant-a", Role.Dealer, subject, "east", TimeSpan.FromMinutes(10));

    /// <summary>Well-formed and unexpired, but signed with another key.</summary>
    public static string ForgedToken() =>
        TokenService.Issue(Auth, "another-key-that-the-server-does-not-know-0123456", "tenant-a", Role.Admin, "intruder", "", TimeSpan.FromMinutes(10));

    /// <summary>Signed with the right key, expired an hour ago (well beyond the clock skew).</summary>
    public static string ExpiredToken() => TokenExpiringAt(DateTime.UtcNow.AddHours(-1));

    /// <summary>Signed with the right key; <paramref name="expires"/> may lie in the past (accepted within the clock skew).</summary>
    public static string TokenExpiringAt(DateTime expires)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Auth.Issuer,
            Audience = Auth.Audience,
            IssuedAt = now.AddHours(-2),
            NotBefore = now.AddHours(-2),
            Expires = expires,
            Subject = new ClaimsIdentity([new Claim("sub", "dealer-7"), new Claim("tenant", "tenant-a"), new Claim("role", "DEALER")]),
            SigningCredentials = new SigningCredentials(SigningKeys.ToSecurityKey(SigningKey), SecurityAlgorithms.HmacSha256),
        });
    }

    public static string BadToken(string kind) => kind switch
    {
        "forged" => ForgedToken(),
        "expired" => ExpiredToken(),
        "garbage" => "not-a-jwt",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
