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

    /// <summary>The caller of a principal whose token carried every claim we need, or null.</summary>
    /// <remarks>Read on every request: one pass over the claims, the first of each type winning (as
    /// <see cref="ClaimsPrincipal.FindFirst(string)"/> would, without its closure and enumerator per lookup).</remarks>
    public static Caller? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true) return null;
        string? tenant = null, subject = null, roleText = null, region = null;
        foreach (var identity in principal.Identities)
            foreach (var claim in identity.Claims)
            {
                if (tenant is null && Is(claim, TenantClaim)) tenant = claim.Value;
                else if (subject is null && Is(claim, SubjectClaim)) subject = claim.Value;
                else if (roleText is null && Is(claim, RoleClaim)) roleText = claim.Value;
                else if (region is null && Is(claim, RegionClaim)) region = claim.Value;
            }
        if (string.IsNullOrWhiteSpace(tenant) || string.IsNullOrWhiteSpace(subject) || !TryParseRole(roleText, out var role))
            return null;
        return new Caller(tenant, role, subject, region ?? "");
    }

    private static bool Is(Claim claim, string type) => string.Equals(claim.Type, type, StringComparison.OrdinalIgnoreCase);

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
