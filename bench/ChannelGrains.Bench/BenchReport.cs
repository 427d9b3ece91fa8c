namespace ChannelGrains.Bench;

/// <summary>What one benchmark measured: added to the invocation's <see cref="BenchResults"/> and to its own table.</summary>
public sealed class BenchReport(BenchResults results, string bench)
{
    private readonly BenchResults own = new();

    public void Add(string name, double value, string unit)
    {
        results.Add(bench, name, value, unit);
        own.Add(bench, name, value, unit);
    }

    public void Print() => own.Print(Console.Out);

    /// <summary>A benchmark as a command of its own: it measures into a fresh <see cref="BenchResults"/> and prints its table.</summary>
    public static async Task<int> RunAsync(BenchOptions options, Func<BenchOptions, BenchResults, Task> measure)
    {
        await measure(options, new BenchResults());
        return 0;
    }
}
