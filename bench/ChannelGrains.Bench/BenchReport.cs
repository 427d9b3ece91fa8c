using System.Diagnostics;

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

    /// <summary>
    /// A benchmark as a command of its own: it measures into a fresh <see cref="BenchResults"/> and prints its table;
    /// with <c>--results-file F</c> it also saves the figures there (<see cref="InChildProcessAsync"/>).
    /// </summary>
    public static async Task<int> RunAsync(BenchOptions options, Func<BenchOptions, BenchResults, Task> measure)
    {
        var results = new BenchResults();
        await measure(options, results);
        if (options.Text("results-file") is { } path) results.Save(path);
        return 0;
    }

    /// <summary>
    /// Runs a benchmark command in a fresh process of this program and adds its figures to <paramref name="results"/>:
    /// for what a process measures of itself (its RSS), which must not carry what earlier benchmarks left in this one.
    /// </summary>
    public static async Task InChildProcessAsync(BenchOptions options, BenchResults results, IReadOnlyDictionary<string, string>? environment = null)
    {
        var path = Path.GetTempFileName();
        try
        {
            var host = Environment.ProcessPath!;
            var info = new ProcessStartInfo(host) { UseShellExecute = false };
            MallocArenas.SetOn(info);
            foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
            // `dotnet ChannelGrains.Bench.dll …` runs the assembly through the host; the apphost is the program itself.
            if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(BenchReport).Assembly.Location);
            foreach (var argument in options.Arguments) info.ArgumentList.Add(argument);
            info.ArgumentList.Add("--results-file");
            info.ArgumentList.Add(path);
            using var child = Process.Start(info)!;
            await child.WaitForExitAsync();
            if (child.ExitCode != 0) throw new InvalidOperationException($"'{string.Join(' ', options.Arguments)}' exited with {child.ExitCode}");
            results.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
