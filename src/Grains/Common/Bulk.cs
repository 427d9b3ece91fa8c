namespace ChannelGrains.Common;

/// <summary>The outcome of one record of a bulk write: the saved record, or why it was refused.</summary>
public sealed record UpsertOutcome<T>(T? Value, ChannelException? Error);

/// <summary>
/// Bulk writes for integrators: the whole batch is validated first (one malformed record refuses the batch and
/// changes nothing), then every record goes to its own grain in parallel; refusals that depend on a record's
/// current state (an invalid transition) are reported per record.
/// </summary>
public static class Bulk
{
    public const int MaxBatch = 1_000;

    public static async Task<IReadOnlyList<UpsertOutcome<TOut>>> UpsertAsync<TIn, TOut>(
        IReadOnlyList<TIn> batch, Func<TIn, TIn> validate, Func<TIn, string> id, Func<TIn, Task<TOut>> upsert)
    {
        var validated = ValidateAll(batch, validate, id);
        return await Task.WhenAll(validated.Select(async item =>
        {
            try
            {
                return new UpsertOutcome<TOut>(await upsert(item), null);
            }
            catch (ChannelException refused)
            {
                return new UpsertOutcome<TOut>(default, refused);
            }
        }));
    }

    public static IReadOnlyList<T> ValidateAll<T>(IReadOnlyList<T> batch, Func<T, T> validate, Func<T, string> id)
    {
        if (batch.Count == 0) throw ChannelException.Validation("The batch is empty.");
        if (batch.Count > MaxBatch) throw ChannelException.Validation($"A batch holds at most {MaxBatch} records; split it.");
        var result = new List<T>(batch.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            try
            {
                var item = validate(batch[i]);
                if (!seen.Add(id(item))) throw ChannelException.Validation($"id '{id(item)}' appears twice in the batch.");
                result.Add(item);
            }
            catch (ChannelException refused) when (refused.Code == ErrorCodes.Validation)
            {
                throw ChannelException.Validation($"Record {i}: {refused.Message}");
            }
        }
        return result;
    }
}
