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
    public static Caller? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true) return null;
        var tenant = principal.FindFirst(TenantClaim)?.Value;
        var subject = principal.FindFirst(SubjectClaim)?.Value;
        var roleText = principal.FindFirst(RoleClaim)?.Value;
        if (string.IsNullOrWhiteSpace(tenant) || string.IsNullOrWhiteSpace(subject) || !TryParseRole(roleText, out var role))
            return null;
        return new Caller(tenant, role, subject, principal.FindFirst(RegionClaim)?.Value ?? "");
    }

    public static bool TryParseRole(string? text, out Role role) =>
        Enum.TryParse(text, ignoreCase: true, out role) && Enum.IsDefined(role) && text!.All(char.IsLetter);

    public static string RoleName(Role role) => role.ToString().ToUpperInvariant();
}
