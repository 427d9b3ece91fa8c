using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChannelGrains.Api.Auth;

/// <summary>Issues development tokens and validates tokens that arrive outside the HTTP pipeline (WebSocket connection_init).</summary>
public sealed class TokenService(IOptionsMonitor<JwtBearerOptions> jwtOptions)
{
    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>The principal of a valid token, or null for a missing, forged or expired one, or one without the caller claims.</summary>
    public async Task<ClaimsPrincipal?> ValidateAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(token)) return null;
        var options = jwtOptions.Get(JwtBearerDefaults.AuthenticationScheme);
        var parameters = options.TokenValidationParameters.Clone();
        if (options.ConfigurationManager is { } manager)
        {
            var configuration = await manager.GetConfigurationAsync(cancellationToken);
            parameters.IssuerSigningKeys = configuration.SigningKeys;
        }
        var result = await Handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid) return null;
        var principal = new ClaimsPrincipal(result.ClaimsIdentity);
        return Caller.From(principal) is null ? null : principal;
    }

    /// <summary>
    /// When the caller's token stops being accepted (its <c>exp</c> plus the allowed clock skew), or null for a token
    /// without expiry. A WebSocket authenticated once closes then, so a socket never outlives its token.
    /// </summary>
    public DateTimeOffset? AcceptedUntil(ClaimsPrincipal user)
    {
        if (user.FindFirst(JwtRegisteredClaimNames.Exp)?.Value is not { } text || !long.TryParse(text, out var seconds)) return null;
        var skew = jwtOptions.Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters.ClockSkew;
        return DateTimeOffset.FromUnixTimeSeconds(seconds) + skew;
    }

    public static string Issue(AuthOptions options, string signingKey, string tenant, Role role, string subject, string region, TimeSpan lifetime)
    {
        var now = DateTime.UtcNow;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = new Dictionary<string, object>
            {
                [Caller.TenantClaim] = tenant,
                [Caller.RoleClaim] = Caller.RoleName(role),
                [Caller.SubjectClaim] = subject,
                [Caller.RegionClaim] = region,
            },
            SigningCredentials = new SigningCredentials(SigningKeys.ToSecurityKey(signingKey), SecurityAlgorithms.HmacSha256),
        });
    }
}

/// <summary>Where the HS256 key comes from: configuration, or in development a random key kept in a file of this user's.</summary>
public static class SigningKeys
{
    public static SymmetricSecurityKey ToSecurityKey(string key) => new(Encoding.UTF8.GetBytes(key));

    public static string DevelopmentKeyPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".channelgrains", "dev-signing-key");

    public static string Resolve(AuthOptions options, bool allowDevelopmentKey)
    {
        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            if (Encoding.UTF8.GetByteCount(options.SigningKey) < 32)
                throw new InvalidOperationException("Auth:SigningKey must be at least 32 bytes for HS256.");
            return options.SigningKey;
        }
        if (!allowDevelopmentKey)
            throw new InvalidOperationException("Auth:SigningKey (environment Auth__SigningKey) or Auth:Authority must be set outside the embedded development mode.");
        return ReadOrCreateDevelopmentKey();
    }

    private static string ReadOrCreateDevelopmentKey()
    {
        var path = DevelopmentKeyPath;
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            file.Write(Encoding.UTF8.GetBytes(key));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            return File.ReadAllText(path).Trim(); // another process created it first
        }
    }
}
