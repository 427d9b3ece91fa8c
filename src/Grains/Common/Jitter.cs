namespace ChannelGrains;

/// <summary>
/// First due times for periodic work that many grains do: grains activated together (a bulk import, a seeded tenant,
/// the first orders after a start) would otherwise run their timers and reminders in the same instant for as long as
/// they live, a burst every period that held every request of the silo back for seconds.
/// </summary>
public static class Jitter
{
    /// <summary>A random time between half the period and one and a half periods: on average one period, spread over one.</summary>
    public static TimeSpan Spread(TimeSpan period) => period * (0.5 + Random.Shared.NextDouble());
}
