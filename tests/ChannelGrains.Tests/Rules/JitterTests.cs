namespace ChannelGrains.Tests.Rules;

public sealed class JitterTests
{
    [Fact]
    public void A_spread_due_time_lies_within_half_a_period_of_the_period_and_varies()
    {
        var period = TimeSpan.FromSeconds(30);

        var draws = Enumerable.Range(0, 1000).Select(_ => Jitter.Spread(period)).ToArray();

        Assert.All(draws, due => Assert.InRange(due, period / 2, period * 1.5));
        // Grains activated together must not share a due time: the draws cover the range, not a point.
        Assert.True(draws.Max() - draws.Min() > period / 2, $"draws from {draws.Min()} to {draws.Max()}");
    }
}
