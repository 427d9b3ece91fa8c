using System.Security.Claims;

namespace ChannelGrains.Api.Auth;

public enum Role { Admin, Manager, Dealer, Agent, Rep }

/// <summary>Who is calling, read from a validated token. Every grain key the API builds starts with <see cref="Tenant"/>.</summary>
public sealed record Caller(string Tenant, Role Role, string Subject, string Region)
{
    public const string TenantClaim = "tenant";
    public const string RoleClaim = "role";
    public const string SubjectClaim = "sub";
    public const string RegionClaim = "region";

    /// <summary>
    /// The caller of a principal whose token carried every claim we need, each with one value, or null: a token naming
    /// two tenants (a JSON array is read as two claims) or two roles is ambiguous, and no caller.
    /// </summary>
    /// <remarks>Read on every request: one pass over the claims, without a closure and enumerator per lookup.</remarks>
    public static Caller? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true) return null;
        string? tenant = null, subject = null, roleText = null, region = null;
        foreach (var identity in principal.Identities)
            foreach (var claim in identity.Claims)
            {
                var single = Is(claim, TenantClaim) ? Take(ref tenant, claim.Value)
                    : Is(claim, SubjectClaim) ? Take(ref subject, claim.Value)
                    : Is(claim, RoleClaim) ? Take(ref roleText, claim.Value)
                    : !Is(claim, RegionClaim) || Take(ref region, claim.Value);
                if (!single) return null;
            }
        if (string.IsNullOrWhiteSpace(tenant) || string.IsNullOrWhiteSpace(subject) || !TryParseRole(roleText, out var role))
            return null;
        return new Caller(tenant, role, subject, region ?? "");
    }

    private static bool Is(Claim claim, string type) => string.Equals(claim.Type, type, StringComparison.OrdinalIgnoreCase);

    /// <summary>Takes a claim's value; false if the claim came before with another value.</summary>
    private static bool Take(ref string? held, string value)
    {
        if (held is null) held = value;
        return held == value;
    }

    public static bool TryParseRole(string? text, out Role role)
    {
        role = default;
        if (string.IsNullOrEmpty(text)) return false;
        foreach (var c in text)
            if (!char.IsLetter(c)) return false;
        return Enum.TryParse(text, ignoreCase: true, out role) && Enum.IsDefined(role);
    }

    public static string RoleName(Role role) => role.ToString().ToUpperInvariant();
}
