using System.Collections.Concurrent;

namespace ChannelGrains.Approvals;

/// <summary>
/// Each silo's copy of the tenants' settings, read again after a few seconds: every order needs them, and one
/// settings grain per tenant must not be called by every order.
/// </summary>
public sealed class TenantSettingsCache(IGrainFactory grains, TimeProvider clock)
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (TenantSettings Settings, DateTimeOffset ReadAt)> copies = new(StringComparer.Ordinal);

    public async ValueTask<TenantSettings> GetAsync(string tenant)
    {
        var now = clock.GetUtcNow();
        if (copies.TryGetValue(tenant, out var copy) && now - copy.ReadAt < FreshFor) return copy.Settings;
        var settings = await grains.GetGrain<ITenantSettingsGrain>(tenant).GetAsync();
        copies[tenant] = (settings, now);
        return settings;
    }

    /// <summary>Forgets this silo's copy, so a change made through it applies at once here.</summary>
    public void Forget(string tenant) => copies.TryRemove(tenant, out _);
}
