namespace ChannelGrains.Common;

/// <summary>The stream provider and the stream namespaces that carry change events.</summary>
public static class StreamNames
{
    public const string Provider = "Events";
    public const string Dealer = "dealer";
    public const string OrdersOfDealer = "dealer-orders";
}
