namespace ChannelGrains.Common;

/// <summary>A change that carries its source's version, so a receiver can drop duplicates and stale arrivals.</summary>
public interface IVersioned
{
    /// <summary>Whose version it is. One feed may carry several sources (every order of a dealer), each versioned on its own.</summary>
    string Source { get; }

    long Version { get; }

    /// <summary>Whether the source changes no more (an order received, cancelled or rejected): a subscription does not read it again.</summary>
    bool IsFinal => false;
}
