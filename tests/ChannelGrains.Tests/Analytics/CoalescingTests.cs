using System.Diagnostics;
using ChannelGrains.Api.Analytics;

namespace ChannelGrains.Tests.Analytics;

public sealed class CoalescingTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public void The_first_value_passes_at_once()
    {
        var source = new Subject();
        var received = new List<int>();
        using var _ = source.AtMostOncePer(TimeSpan.FromHours(1)).Subscribe(new Collect(received));

        source.Next(1);

        Assert.Equal([1], received);
    }

    [Fact]
    public async Task A_burst_is_coalesced_to_one_value_per_interval_ending_with_the_newest()
    {
        var source = new Subject();
        var received = new List<int>();
        using var _ = source.AtMostOncePer(Interval).Subscribe(new Collect(received));

        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= 200; i++)
        {
            source.Next(i);
            await Task.Delay(5);
        }
        var elapsed = clock.Elapsed;
        await Infrastructure.Eventually.HoldsAsync(() => { lock (received) return received.LastOrDefault() == 200; }, "the newest value arrived");

        lock (received)
        {
            // One at once, then at most one per interval for as long as the burst lasted, plus the trailing newest.
            Assert.InRange(received.Count, 2, 2 + (int)(elapsed / Interval));
            Assert.Equal(received.Order(), received);
        }
    }

    [Fact]
    public void Completion_delivers_the_held_value_first()
    {
        var source = new Subject();
        var received = new List<int>();
        using var _ = source.AtMostOncePer(TimeSpan.FromHours(1)).Subscribe(new Collect(received));

        source.Next(1);
        source.Next(2);
        source.Next(3);
        source.Complete();

        Assert.Equal([1, 3], received);
    }

    private sealed class Subject : IObservable<int>
    {
        private IObserver<int>? observer;

        public IDisposable Subscribe(IObserver<int> target)
        {
            observer = target;
            return new Unsubscribe(() => observer = null);
        }

        public void Next(int value) => observer?.OnNext(value);

        public void Complete() => observer?.OnCompleted();
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    private sealed class Collect(List<int> into) : IObserver<int>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error) => throw error;

        public void OnNext(int value)
        {
            lock (into) into.Add(value);
        }
    }
}
