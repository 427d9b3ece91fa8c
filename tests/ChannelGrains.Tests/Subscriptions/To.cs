namespace ChannelGrains.Tests.Subscriptions;

/// <summary>An observer that hands each value to <paramref name="next"/>.</summary>
internal sealed class To<T>(Action<T> next) : IObserver<T>
{
    public void OnCompleted() { }

    public void OnError(Exception error) { }

    public void OnNext(T value) => next(value);
}
