namespace ChannelGrains.Common;

public static class StorageNames
{
    /// <summary>The grain state store: memory in the embedded mode, PostgreSQL in the durable and cluster modes.</summary>
    public const string Channel = "channel";
}
