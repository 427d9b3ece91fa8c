using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace ChannelGrains.Api.Auth;

/// <summary>
/// Token validation that remembers the tokens it found valid, so that a client sending the same bearer token with
/// every request (every integrator and dashboard does) has it parsed and its signature checked once, not per request:
/// that was a tenth of the Api's CPU under a mix of small mutations.
/// </summary>
/// <remarks>
/// For validation parameters that are fixed for the process's lifetime: the HS256 mode, with one configured key,
/// issuer and audience (with an OpenID Connect authority the signing keys rotate, and the Api does not use this). The
/// bearer handler passes a copy of those parameters with each request, so a remembered token is accepted again when
/// the copy carries the same signing key object, and only until the earlier of the token's <c>exp</c> (without the
/// clock skew the full check allows) and <see cref="MaxAge"/> after it was checked. Invalid tokens are never
/// remembered. Each caller gets its own copy of the identity.
/// </remarks>
public sealed class CachingTokenHandler(TokenHandler inner, TimeProvider time, int capacity = CachingTokenHandler.DefaultCapacity) : TokenHandler
{
    public const int DefaultCapacity = 10_000;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Entry> valid = new(StringComparer.Ordinal);

    /// <summary>How many tokens are remembered now (at most the capacity).</summary>
    public int Count => valid.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = time.GetUtcNow();
        if (valid.TryGetValue(token, out var held))
        {
            if (ReferenceEquals(held.Key, validationParameters.IssuerSigningKey) && now < held.Until) return CopyOf(held.Result);
            valid.TryRemove(KeyValuePair.Create(token, held));
        }
        var result = await inner.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { ValidTo: var expires } && expires > DateTime.MinValue)
        {
            var until = new DateTimeOffset(DateTime.SpecifyKind(expires, DateTimeKind.Utc));
            if (now + MaxAge < until) until = now + MaxAge;
            if (valid.Count >= capacity) Trim(now);
            // The caller keeps the result it got; the cache holds a copy nobody else touches.
            valid[token] = new Entry(validationParameters.IssuerSigningKey, CopyOf(result), until);
        }
        return result;
    }

    /// <summary>
    /// Forgets the expired tokens, and all of them if that leaves the cache more than three quarters full: otherwise
    /// every new token after a scan that freed a few would scan all of them again.
    /// </summary>
    private void Trim(DateTimeOffset now)
    {
        foreach (var (token, entry) in valid)
            if (entry.Until <= now) valid.TryRemove(KeyValuePair.Create(token, entry));
        if (valid.Count > capacity * 3 / 4) valid.Clear();
    }

    private static TokenValidationResult CopyOf(TokenValidationResult result) => new()
    {
        IsValid = true,
        ClaimsIdentity = result.ClaimsIdentity.Clone(),
        SecurityToken = result.SecurityToken,
        Issuer = result.Issuer,
        TokenType = result.TokenType,
    };

    private sealed record Entry(SecurityKey? Key, TokenValidationResult Result, DateTimeOffset Until);
}
