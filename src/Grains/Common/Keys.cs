namespace ChannelGrains.Common;

/// <summary>Grain keys are <c>tenant/id</c>: the tenant always comes first, so nothing can address another tenant's grain.</summary>
public static class Keys
{
    public const char Separator = '/';

    public static string Of(string tenant, string id)
    {
        Validate.Id(tenant, "tenant");
        Validate.Id(id, "id");
        return string.Concat(tenant, "/", id);
    }

    public static (string Tenant, string Id) Split(string key)
    {
        var slash = key.IndexOf(Separator);
        if (slash <= 0) throw new ArgumentException($"'{key}' is not a tenant-scoped key.", nameof(key));
        return (key[..slash], key[(slash + 1)..]);
    }
}
