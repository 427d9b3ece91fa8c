using System.Diagnostics;

namespace ChannelGrains.Api.Demo;

/// <summary>
/// A progress bar on the console: redrawn in place with <c>\r</c> on a terminal, one line per tenth when the output
/// is redirected (a log file or a test reading it), so neither floods.
/// </summary>
public sealed class ConsoleProgress(TextWriter output, bool interactive, string title)
{
    private const int Width = 30;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly Lock gate = new();
    private readonly Stopwatch elapsed = Stopwatch.StartNew();
    private long total = 1;
    private long done;
    private string stage = "";
    private int tenthsShown = -1;
    private TimeSpan lastDraw = TimeSpan.MinValue;

    public TimeSpan Elapsed => elapsed.Elapsed;

    public static ConsoleProgress ForConsole(string title) => new(Console.Out, !Console.IsOutputRedirected, title);

    public void Start(long steps) => total = Math.Max(1, steps);

    public void Stage(string name)
    {
        lock (gate) stage = name;
        Draw(force: true);
    }

    public void Advance(long steps = 1)
    {
        Interlocked.Add(ref done, steps);
        Draw(force: false);
    }

    public void Finish(string summary)
    {
        lock (gate)
        {
            done = total;
            stage = "done";
            Write(force: true);
            if (interactive) output.WriteLine();
            output.WriteLine($"{title}: {summary}");
            output.Flush();
        }
    }

    private void Draw(bool force)
    {
        lock (gate) Write(force);
    }

    private void Write(bool force)
    {
        var fraction = Math.Min(1.0, (double)Interlocked.Read(ref done) / total);
        var seconds = elapsed.Elapsed.TotalSeconds;
        if (interactive)
        {
            if (!force && elapsed.Elapsed - lastDraw < RedrawInterval) return;
            lastDraw = elapsed.Elapsed;
            var filled = (int)(fraction * Width);
            output.Write($"\r{title} [{new string('#', filled)}{new string('-', Width - filled)}] {fraction * 100,3:F0}% {seconds,5:F1} s  {stage,-28}");
            output.Flush();
            return;
        }
        var tenths = (int)(fraction * 10);
        if (tenths <= tenthsShown) return;
        tenthsShown = tenths;
        output.WriteLine($"{title}: {fraction * 100:F0}% after {seconds:F1} s ({stage})");
        output.Flush();
    }
}
