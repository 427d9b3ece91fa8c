namespace ChannelGrains.Common;

public static class PersistenceExtensions
{
    /// <summary>
    /// Writes the state; if the write fails, the activation is dropped so that the next call reloads the last durable
    /// state instead of serving an in-memory change that was never acknowledged.
    /// </summary>
    public static async Task PersistAsync<T>(this IPersistentState<T> state, Action deactivate)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            deactivate();
            throw;
        }
    }
}
