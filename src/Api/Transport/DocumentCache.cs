using System.Collections.Concurrent;
using GraphQLParser.AST;

namespace ChannelGrains.Api.Transport;

/// <summary>
/// Parsed documents by query text, least recently used out first. Parsing and validating dominate the CPU of a
/// small request, so a document that once passed validation is validated again only by the rules that depend on
/// variables or the caller (see <see cref="OperationExecutor"/>).
/// </summary>
public sealed class DocumentCache(int capacity, int maxQueryLength)
{
    public sealed class Entry(GraphQLDocument document)
    {
        // Validation looks at the selected operation, so a pass counts per operation name ("" for the only one).
        private readonly ConcurrentDictionary<string, bool> _validated = new(StringComparer.Ordinal);

        public GraphQLDocument Document { get; } = document;

        private readonly Lazy<ComplexityVariables> _complexityVariables = new(() => ComplexityInputs.Of(document));

        /// <summary>What of this document's complexity its variables decide (see <see cref="ComplexityInputs"/>); read only once it passed.</summary>
        public ComplexityVariables ComplexityVariables => _complexityVariables.Value;

        /// <summary>True once a request for this operation of the document passed full validation.</summary>
        public bool IsValidated(string? operationName) => _validated.ContainsKey(operationName ?? "");

        public void MarkValidated(string? operationName) => _validated.TryAdd(operationName ?? "", true);
    }

    private readonly Dictionary<string, LinkedListNode<(string Query, Entry Entry)>> _byQuery = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Query, Entry Entry)> _recency = new();
    private readonly Lock _lock = new();

    public int Count { get { lock (_lock) return _byQuery.Count; } }

    public Entry? Get(string query)
    {
        if (capacity == 0) return null;
        lock (_lock)
        {
            if (!_byQuery.TryGetValue(query, out var node)) return null;
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Entry;
        }
    }

    /// <summary>Keeps <paramref name="document"/> for <paramref name="query"/>; returns the entry to use (an earlier one if another request won).</summary>
    public Entry Add(string query, GraphQLDocument document)
    {
        var entry = new Entry(document);
        if (capacity == 0 || query.Length > maxQueryLength) return entry;
        lock (_lock)
        {
            if (_byQuery.TryGetValue(query, out var existing)) return existing.Value.Entry;
            _byQuery[query] = _recency.AddFirst((query, entry));
            if (_byQuery.Count > capacity)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _byQuery.Remove(oldest.Value.Query);
            }
        }
        return entry;
    }
}
