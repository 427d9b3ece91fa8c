namespace ChannelGrains.Silo.Hosting;

public static class StorageNames
{
    public const string PubSub = "PubSubStore";
    public const string Channel = ChannelGrains.Common.StorageNames.Channel;
}
