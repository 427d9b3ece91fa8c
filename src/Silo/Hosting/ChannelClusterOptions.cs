namespace ChannelGrains.Silo.Hosting;

/// <summary>Bound from the <c>Orleans</c> section. Ports come from here so several silos can share one machine.</summary>
public sealed class ChannelClusterOptions
{
    public const string Section = "Orleans";
    public const string ConnectionStringName = "Channel";

    /// <summary><c>Embedded</c> (the Api hosts a silo) or <c>Client</c> (the Api joins silos found through PostgreSQL).</summary>
    public string Mode { get; set; } = "Embedded";

    public string ClusterId { get; set; } = "channelgrains";

    public string ServiceId { get; set; } = "channelgrains";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one on; loopback by default.</summary>
    public string AdvertisedIp { get; set; } = "127.0.0.1";

    /// <summary>
    /// How many grain addresses a silo's directory cache holds (Orleans' default is 1,000,000). Each entry costs about
    /// 200 bytes, and the cache also takes every activation of the silo itself, which the silo finds without it.
    /// </summary>
    public int DirectoryCacheSize { get; set; } = 100_000;

    public bool IsClient => string.Equals(Mode, "Client", StringComparison.OrdinalIgnoreCase);
}
