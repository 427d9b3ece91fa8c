namespace ChannelGrains.Tests.Infrastructure;

/// <summary>Waiting for something that happens asynchronously, with a deadline instead of a fixed sleep.</summary>
internal static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds, failing with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; on timeout fails with what <paramref name="explain"/> says.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> explain)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Still not so after {timeout}: {await explain()}");
            await Task.Delay(250);
        }
    }
}
