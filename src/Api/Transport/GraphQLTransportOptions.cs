namespace ChannelGrains.Api.Transport;

/// <summary>Limits and timings of the GraphQL transports, bound from the <c>GraphQL</c> configuration section.</summary>
public sealed class GraphQLTransportOptions
{
    public const string Section = "GraphQL";

    /// <summary>Largest accepted HTTP request body; a larger one gets 413.</summary>
    public int MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>Deepest accepted selection (GraphQL.NET complexity analysis); a deeper document fails validation.</summary>
    public int MaxDepth { get; set; } = 15;

    /// <summary>Highest accepted complexity (each field 1, list children multiplied by <c>first</c>/<c>last</c> or 5).</summary>
    public int MaxComplexity { get; set; } = 5000;

    /// <summary>Most fields, inline fragments and fragment spreads a document holds (see <see cref="DocumentWidth"/>).</summary>
    public int MaxSelections { get; set; } = 2000;

    /// <summary>Most fields of one response name in one selection set, its fragments' included (see <see cref="DocumentWidth"/>).</summary>
    public int MaxSameName { get; set; } = 32;

    /// <summary>How many parsed documents are kept, keyed by query text; 0 disables the cache.</summary>
    public int DocumentCacheSize { get; set; } = 1000;

    /// <summary>Query texts longer than this are parsed every time rather than cached.</summary>
    public int MaxCachedQueryLength { get; set; } = 32 * 1024;

    /// <summary>A WebSocket client must send <c>connection_init</c> within this time, or the socket closes with 4408.</summary>
    public TimeSpan ConnectionInitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Interval of the server's <c>ping</c> messages on an acknowledged socket; zero turns them off.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest accepted WebSocket message; a larger one closes the socket with 1009.</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary>Operations (subscriptions, queries, mutations) running at once on one socket.</summary>
    public int MaxOperationsPerSocket { get; set; } = 100;

    /// <summary>Messages waiting to be written to one socket; a client that falls further behind is disconnected.</summary>
    public int MaxPendingMessages { get; set; } = 1000;

    /// <summary>
    /// Bytes of messages waiting to be written to one socket; a client that falls further behind is disconnected. One
    /// message larger than this is still sent when nothing else waits.
    /// </summary>
    public int MaxPendingBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long the server waits for the client's close frame after it sent its own.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal IEnumerable<string> Problems()
    {
        if (MaxRequestBytes < 1024) yield return "GraphQL:MaxRequestBytes must be at least 1024.";
        if (MaxDepth < 1) yield return "GraphQL:MaxDepth must be at least 1.";
        if (MaxComplexity < 1) yield return "GraphQL:MaxComplexity must be at least 1.";
        if (MaxSelections < 1) yield return "GraphQL:MaxSelections must be at least 1.";
        if (MaxSameName < 1) yield return "GraphQL:MaxSameName must be at least 1.";
        if (DocumentCacheSize < 0) yield return "GraphQL:DocumentCacheSize must not be negative.";
        if (ConnectionInitTimeout <= TimeSpan.Zero) yield return "GraphQL:ConnectionInitTimeout must be positive.";
        if (KeepAlive < TimeSpan.Zero) yield return "GraphQL:KeepAlive must not be negative.";
        if (MaxMessageBytes < 1024) yield return "GraphQL:MaxMessageBytes must be at least 1024.";
        if (MaxOperationsPerSocket < 1) yield return "GraphQL:MaxOperationsPerSocket must be at least 1.";
        if (MaxPendingMessages < 1) yield return "GraphQL:MaxPendingMessages must be at least 1.";
        if (MaxPendingBytes < 1024) yield return "GraphQL:MaxPendingBytes must be at least 1024.";
        if (CloseTimeout <= TimeSpan.Zero) yield return "GraphQL:CloseTimeout must be positive.";
    }
}
