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

    [Fact]
    public void A_value_after_the_interval_goes_out_at_once_though_the_timer_for_a_held_one_has_not_run()
    {
        using var late = new LateTimer();

        Assert.Equal([1, 3], late.Received);
        late.Time.RunTimers(); // the late callback finds nothing held: 2 was superseded by 3
        Assert.Equal([1, 3], late.Received);
    }

    [Fact]
    public void A_late_timer_keeps_the_interval_from_the_last_value_sent()
    {
        using var late = new LateTimer();
        late.Time.Advance(TimeSpan.FromMilliseconds(10));
        late.Source.Next(4); // held: 3 went out 10 ms ago

        late.Time.RunTimers(); // the first timer, late: too soon after 3 to send 4
        Assert.Equal([1, 3], late.Received);
        late.Time.Advance(Interval);
        late.Time.RunTimers();
        Assert.Equal([1, 3, 4], late.Received);
    }

    [Fact]
    public void A_timer_that_runs_a_little_early_sends_the_held_value()
    {
        var time = new ManualTime();
        var source = new Subject();
        var received = new List<int>();
        using var _ = source.AtMostOncePer(Interval, time).Subscribe(new Collect(received));

        source.Next(1);
        time.Advance(TimeSpan.FromMilliseconds(10));
        source.Next(2);
        time.Advance(Interval - TimeSpan.FromMilliseconds(12)); // 2 ms before the interval is over
        time.RunTimers(early: true); // system timers round their due times and may run that early

        Assert.Equal([1, 2], received);
    }

    /// <summary>
    /// 1 is sent; 2 arrives 10 ms later and is held, with a timer due when the interval is over; the timer's callback
    /// is then late (a busy thread pool) and has not run when 3 arrives after the interval.
    /// </summary>
    private sealed class LateTimer : IDisposable
    {
        private readonly IDisposable subscription;

        public LateTimer()
        {
            subscription = Source.AtMostOncePer(Interval, Time).Subscribe(new Collect(Received));
            Source.Next(1);
            Time.Advance(TimeSpan.FromMilliseconds(10));
            Source.Next(2);
            Time.Advance(Interval);
            Source.Next(3);
        }

        public ManualTime Time { get; } = new();

        public Subject Source { get; } = new();

        public List<int> Received { get; } = [];

        public void Dispose() => subscription.Dispose();
    }

    /// <summary>Time that moves only when told to, and timers that run only when told to (as if their callbacks were late).</summary>
    private sealed class ManualTime : TimeProvider
    {
        private readonly List<ManualTimer> timers = [];
        private long ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => ticks;

        public void Advance(TimeSpan by) => ticks += by.Ticks;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(this, callback, state, ticks + dueTime.Ticks);
            timers.Add(timer);
            return timer;
        }

        /// <summary>Runs the callbacks of the timers due by now (or all, <paramref name="early"/>), as many rounds as they set new ones that are due.</summary>
        public void RunTimers(bool early = false)
        {
            // Bounded: a gate that keeps setting a new timer for its remaining milliseconds would loop for ever.
            for (var round = 0; round < 100 && timers.FirstOrDefault(t => early || t.Due <= ticks) is { } due; round++)
            {
                timers.Remove(due);
                due.Callback(due.State);
            }
        }

        private sealed class ManualTimer(ManualTime owner, TimerCallback callback, object? state, long due) : ITimer
        {
            public TimerCallback Callback => callback;

            public object? State => state;

            public long Due => due;

            public bool Change(TimeSpan dueTime, TimeSpan period) => throw new NotSupportedException();

            public void Dispose() => owner.timers.Remove(this);

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
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
