using ChannelGrains.Common;
using GraphQL;

namespace ChannelGrains.Api.Schema;

public static class BulkResults
{
    /// <summary>The saved records in input order; a record refused for its current state is null, with an error at its index.</summary>
    public static IReadOnlyList<T?> Report<T>(IResolveFieldContext context, IReadOnlyList<UpsertOutcome<T>> outcomes) where T : class
    {
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (outcomes[i].Error is { } refused)
                context.Errors.Add(new ExecutionError(refused.Message) { Code = refused.Code, Path = [.. context.Path, i] });
        }
        return outcomes.Select(o => o.Value).ToArray();
    }
}
