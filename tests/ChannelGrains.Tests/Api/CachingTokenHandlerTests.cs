using ChannelGrains.Api.Auth;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChannelGrains.Tests.Api;

public sealed class CachingTokenHandlerTests
{
    private readonly Counting inner = new(new JsonWebTokenHandler { MapInboundClaims = false });
    private readonly ManualTime time = new(DateTimeOffset.UtcNow);
    private readonly TokenValidationParameters parameters = new()
    {
        ValidIssuer = new AuthOptions().Issuer,
        ValidAudience = new AuthOptions().Audience,
        ValidateLifetime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        IssuerSigningKey = SigningKeys.ToSecurityKey(ApiClient.TestSigningKey),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
    };

    [Fact]
    public async Task A_valid_token_is_checked_once_and_each_caller_gets_its_own_identity()
    {
        var handler = new CachingTokenHandler(inner, time);
        var token = Token(TimeSpan.FromHours(1));

        var first = await handler.ValidateTokenAsync(token, parameters);
        var second = await handler.ValidateTokenAsync(token, parameters.Clone()); // the bearer handler passes a copy per request

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Equal(1, inner.Calls);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Equal(first.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value)), second.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value)));
    }

    [Fact]
    public async Task A_claim_added_by_one_request_is_not_seen_by_the_next()
    {
        var handler = new CachingTokenHandler(inner, time);
        var token = Token(TimeSpan.FromHours(1));

        var first = await handler.ValidateTokenAsync(token, parameters);
        first.ClaimsIdentity.AddClaim(new System.Security.Claims.Claim("added", "by the first request"));
        var second = await handler.ValidateTokenAsync(token, parameters);

        Assert.Equal(1, inner.Calls);
        Assert.Null(second.ClaimsIdentity.FindFirst("added"));
    }

    [Fact]
    public async Task Another_signing_key_checks_the_token_again()
    {
        var handler = new CachingTokenHandler(inner, time);
        var token = Token(TimeSpan.FromHours(1));

        await handler.ValidateTokenAsync(token, parameters);
        var withOtherKey = parameters.Clone();
        withOtherKey.IssuerSigningKey = SigningKeys.ToSecurityKey("another-signing-key-0123456789abcdef-0123456789");
        var result = await handler.ValidateTokenAsync(token, withOtherKey);

        Assert.False(result.IsValid);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task An_invalid_token_is_never_remembered()
    {
        var handler = new CachingTokenHandler(inner, time);
        var forged = Token(TimeSpan.FromHours(1))[..^4] + "AAAA";

        Assert.False((await handler.ValidateTokenAsync(forged, parameters)).IsValid);
        Assert.False((await handler.ValidateTokenAsync(forged, parameters)).IsValid);

        Assert.Equal(2, inner.Calls);
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task A_token_is_remembered_no_longer_than_its_expiry()
    {
        var handler = new CachingTokenHandler(inner, time);
        var token = Token(TimeSpan.FromMinutes(2)); // expires before the cache's own limit of five minutes

        await handler.ValidateTokenAsync(token, parameters);
        time.Advance(TimeSpan.FromMinutes(1));
        await handler.ValidateTokenAsync(token, parameters);
        Assert.Equal(1, inner.Calls);

        time.Advance(TimeSpan.FromMinutes(2)); // past exp by the remembered clock: the full check decides again
        await handler.ValidateTokenAsync(token, parameters);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task A_token_is_checked_again_after_the_cache_limit()
    {
        var handler = new CachingTokenHandler(inner, time);
        var token = Token(TimeSpan.FromHours(1));

        await handler.ValidateTokenAsync(token, parameters);
        time.Advance(CachingTokenHandler.MaxAge - TimeSpan.FromSeconds(1));
        await handler.ValidateTokenAsync(token, parameters);
        Assert.Equal(1, inner.Calls);

        time.Advance(TimeSpan.FromSeconds(1));
        await handler.ValidateTokenAsync(token, parameters);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task The_cache_holds_at_most_its_capacity()
    {
        var handler = new CachingTokenHandler(inner, time, capacity: 2);

        foreach (var subject in new[] { "D1", "D2", "D3", "D4", "D5" })
        {
            Assert.True((await handler.ValidateTokenAsync(Token(TimeSpan.FromHours(1), subject), parameters)).IsValid);
            Assert.InRange(handler.Count, 1, 2);
        }
    }

    private static string Token(TimeSpan lifetime, string subject = "D1") =>
        TokenService.Issue(new AuthOptions(), ApiClient.TestSigningKey, "t1", Role.Dealer, subject, "CN/R1", lifetime);

    private sealed class Counting(TokenHandler inner) : TokenHandler
    {
        private int calls;

        public int Calls => calls;

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Interlocked.Increment(ref calls);
            return inner.ValidateTokenAsync(token, validationParameters);
        }
    }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset now = start;

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
