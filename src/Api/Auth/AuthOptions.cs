namespace ChannelGrains.Api.Auth;

/// <summary>Bound from the <c>Auth</c> configuration section (environment <c>Auth__SigningKey</c> and so on).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>HS256 key, at least 32 bytes of text. Empty in development: a per-machine key file is used.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "channelgrains";

    public string Audience { get; set; } = "channelgrains";

    /// <summary>An OpenID Connect authority (production identity provider); when set, its keys replace the HS256 key.</summary>
    public string? Authority { get; set; }
}
