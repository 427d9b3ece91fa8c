using GraphQL.Execution;
using GraphQLParser.AST;

namespace ChannelGrains.Api.Transport;

/// <summary>
/// How wide a parsed document is, checked before GraphQL.NET validates it. Its rule that fields of one response name
/// can merge compares every pair of them (and their sub-selections), with an error for each pair that conflicts: a
/// 100 KB query naming one field with 3,000 different arguments held a core for minutes and grew the process by
/// gigabytes, before the complexity limit, which runs after validation, could refuse it. So a selection set may name
/// one response name only so many times, counting the fields its fragments bring in, and a document holds only so
/// many selections.
/// </summary>
public static class DocumentWidth
{
    /// <summary>Why the document is too wide, or null when it is not.</summary>
    public static string? Excess(GraphQLDocument document, int maxSelections, int maxSameName)
    {
        var walk = new Walk(document, maxSelections, maxSameName);
        foreach (var definition in document.Definitions)
        {
            var set = definition switch
            {
                GraphQLOperationDefinition operation => operation.SelectionSet,
                GraphQLFragmentDefinition fragment => fragment.SelectionSet,
                _ => null,
            };
            if (set is not null && walk.Check(set) is { } excess) return excess;
        }
        return null;
    }

    private sealed class Walk(GraphQLDocument document, int maxSelections, int maxSameName)
    {
        private readonly Dictionary<string, GraphQLFragmentDefinition> fragments = document.Definitions.OfType<GraphQLFragmentDefinition>()
            .GroupBy(f => f.FragmentName.Name.StringValue, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        /// <summary>Each selection set's fields by response name, its fragments' included, counted up to one past the limit.</summary>
        private readonly Dictionary<GraphQLSelectionSet, Dictionary<string, int>> counted = new(ReferenceEqualityComparer.Instance);

        /// <summary>The sets being counted now: a fragment that spreads itself is left to the validator to refuse.</summary>
        private readonly HashSet<GraphQLSelectionSet> open = new(ReferenceEqualityComparer.Instance);

        private int selections;

        private string? excess;

        public string? Check(GraphQLSelectionSet set)
        {
            Count(set);
            return excess;
        }

        private Dictionary<string, int> Count(GraphQLSelectionSet set)
        {
            if (counted.TryGetValue(set, out var names)) return names;
            names = new Dictionary<string, int>(StringComparer.Ordinal);
            if (!open.Add(set) || excess is not null) return names;
            selections += set.Selections.Count;
            if (selections > maxSelections) excess = $"The document selects more than {maxSelections} fields and fragments.";
            foreach (var selection in set.Selections)
            {
                if (excess is not null) break;
                switch (selection)
                {
                    case GraphQLField field:
                        Add(names, (field.Alias?.Name ?? field.Name).StringValue, 1);
                        if (field.SelectionSet is not null) Count(field.SelectionSet);
                        break;
                    case GraphQLInlineFragment inline:
                        AddAll(names, Count(inline.SelectionSet));
                        break;
                    case GraphQLFragmentSpread spread when fragments.TryGetValue(spread.FragmentName.Name.StringValue, out var fragment):
                        AddAll(names, Count(fragment.SelectionSet));
                        break;
                }
            }
            open.Remove(set);
            counted[set] = names;
            return names;
        }

        private void AddAll(Dictionary<string, int> names, Dictionary<string, int> more)
        {
            foreach (var (name, count) in more) Add(names, name, count);
        }

        private void Add(Dictionary<string, int> names, string name, int count)
        {
            var total = Math.Min(names.GetValueOrDefault(name) + count, maxSameName + 1);
            names[name] = total;
            if (total > maxSameName && excess is null)
                excess = $"'{name}' is selected more than {maxSameName} times in one selection set, fragments included: give each its own alias, or select it once.";
        }
    }
}

/// <summary>A document too wide to validate at a bounded cost (<see cref="DocumentWidth"/>).</summary>
public sealed class DocumentTooWideError : DocumentError
{
    public DocumentTooWideError(string message) : base(message) => Code = "DOCUMENT_TOO_WIDE";
}
