using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChannelGrains.Api.Auth;

public static class AuthSetup
{
    /// <summary>JWT bearer: HS256 with the configured (or development) key, or an OpenID Connect authority.</summary>
    public static IServiceCollection AddChannelAuth(this IServiceCollection services, IConfiguration configuration, bool allowDevelopmentKey)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        services.AddSingleton(options);
        services.AddSingleton<TokenService>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            // A correctly signed token without the claims every call needs is as good as none.
            jwt.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    if (Caller.From(context.Principal) is null) context.Fail("The token lacks a tenant, a known role or a subject.");
                    return Task.CompletedTask;
                },
            };
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = options.Issuer,
                ValidAudience = options.Audience,
                ValidateLifetime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = Caller.SubjectClaim,
                RoleClaimType = Caller.RoleClaim,
            };
            if (!string.IsNullOrEmpty(options.Authority))
            {
                jwt.Authority = options.Authority;
            }
            else
            {
                jwt.TokenValidationParameters.IssuerSigningKey = SigningKeys.ToSecurityKey(SigningKeys.Resolve(options, allowDevelopmentKey));
                jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
                // One key for the process's lifetime: a token found valid is not parsed and verified again per request.
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(new CachingTokenHandler(new JsonWebTokenHandler { MapInboundClaims = false }, TimeProvider.System));
            }
        });
        services.AddAuthorization();
        return services;
    }
}
