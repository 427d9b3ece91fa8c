namespace ChannelGrains.Api.Analytics;

/// <summary>Coalesces a stream of full-state values so a subscriber gets at most one per interval, always the newest.</summary>
public static class Coalescing
{
    /// <summary>
    /// The first value passes at once; after that at most one value per <paramref name="interval"/>: values arriving
    /// sooner are held and only the newest is delivered when the interval is over. Nothing is lost but superseded values.
    /// </summary>
    public static IObservable<T> AtMostOncePer<T>(this IObservable<T> source, TimeSpan interval, TimeProvider? time = null) =>
        new Coalesced<T>(source, interval, time ?? TimeProvider.System);

    private sealed class Coalesced<T>(IObservable<T> source, TimeSpan interval, TimeProvider time) : IObservable<T>
    {
        public IDisposable Subscribe(IObserver<T> observer)
        {
            var gate = new Gate<T>(observer, interval, time);
            gate.Attach(source.Subscribe(gate));
            return gate;
        }
    }

    private sealed class Gate<T>(IObserver<T> observer, TimeSpan interval, TimeProvider time) : IObserver<T>, IDisposable
    {
        private readonly object sync = new();
        private IDisposable? upstream;
        private long? lastSent;
        /// <summary>The <see cref="lastSent"/> the pending timer was set for.</summary>
        private long? armedFor;
        private bool hasPending;
        private T? pending;
        private ITimer? timer;
        private bool ended;

        public void Attach(IDisposable subscription)
        {
            bool dispose;
            lock (sync)
            {
                upstream = subscription;
                dispose = ended;
            }
            if (dispose) subscription.Dispose();
        }

        public void OnNext(T value)
        {
            lock (sync)
            {
                if (ended) return;
                var now = time.GetTimestamp();
                // Sent at once when the interval is over, even with a timer set: its callback may be held up behind
                // the thread pool's queue on a busy server, and when it runs it finds nothing pending.
                if (lastSent is null || time.GetElapsedTime(lastSent.Value, now) >= interval)
                {
                    lastSent = now;
                    hasPending = false;
                    pending = default;
                    observer.OnNext(value);
                    return;
                }
                pending = value;
                hasPending = true;
                if (timer is null) Arm(interval - time.GetElapsedTime(lastSent!.Value, now));
            }
        }

        public void OnCompleted()
        {
            lock (sync)
            {
                if (ended) return;
                SendPending();
                ended = true;
                observer.OnCompleted();
            }
        }

        public void OnError(Exception error)
        {
            lock (sync)
            {
                if (ended) return;
                ended = true;
                observer.OnError(error);
            }
        }

        public void Dispose()
        {
            IDisposable? subscription;
            lock (sync)
            {
                ended = true;
                timer?.Dispose();
                timer = null;
                subscription = upstream;
                upstream = null;
            }
            subscription?.Dispose();
        }

        private void Release()
        {
            lock (sync)
            {
                timer?.Dispose();
                timer = null;
                if (ended || !hasPending) return;
                // A value sent at once since this timer was set moved the interval on: wait for the rest of it. Otherwise
                // this is the timer's own due time (a system timer may run a few milliseconds early: send anyway).
                var rest = interval - time.GetElapsedTime(lastSent!.Value);
                if (lastSent != armedFor && rest > TimeSpan.Zero) Arm(rest);
                else SendPending();
            }
        }

        private void Arm(TimeSpan due)
        {
            armedFor = lastSent;
            timer = time.CreateTimer(_ => Release(), null, due, Timeout.InfiniteTimeSpan);
        }

        private void SendPending()
        {
            if (!hasPending) return;
            var value = pending!;
            hasPending = false;
            pending = default;
            lastSent = time.GetTimestamp();
            observer.OnNext(value);
        }
    }
}
