namespace ChannelGrains.Common;

/// <summary>A change that carries its source's version, so a receiver can drop duplicates and stale arrivals.</summary>
public interface IVersioned
{
    long Version { get; }
}
