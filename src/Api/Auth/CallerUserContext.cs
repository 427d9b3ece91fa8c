using System.Security.Claims;

namespace ChannelGrains.Api.Auth;

/// <summary>
/// The GraphQL user context of one execution, carrying its <see cref="Auth.Caller"/>: read from the principal's
/// claims once per request, not at every field that needs it (a mutation asks three to five times).
/// </summary>
public sealed class CallerUserContext(ClaimsPrincipal? user) : Dictionary<string, object?>
{
    public Caller? Caller { get; } = Auth.Caller.From(user);
}
