using System.Globalization;

namespace ChannelGrains.Bench;

/// <summary>
/// The figures of one invocation, by benchmark and name (e.g. <c>("load.memory", "placeOrder/s")</c>), so that a
/// combined run can print each benchmark's table and the ratios between them. Every benchmark adds what it measured.
/// </summary>
public sealed class BenchResults
{
    private readonly List<(string Bench, string Name, double Value, string Unit)> rows = [];

    public void Add(string bench, string name, double value, string unit)
    {
        lock (rows) rows.Add((bench, name, value, unit));
    }

    public double? Get(string bench, string name)
    {
        lock (rows)
        {
            var found = rows.FindLast(r => r.Bench == bench && r.Name == name);
            return found.Bench is null ? null : found.Value;
        }
    }

    /// <summary>Writes every row to <paramref name="path"/>, a line each, for the process that started this one (<see cref="Load"/>).</summary>
    public void Save(string path)
    {
        lock (rows)
            File.WriteAllLines(path, rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Bench}\t{r.Name}\t{r.Value:R}\t{r.Unit}")));
    }

    /// <summary>Adds the rows another process saved.</summary>
    public void Load(string path)
    {
        foreach (var line in File.ReadAllLines(path))
        {
            var fields = line.Split('\t');
            Add(fields[0], fields[1], double.Parse(fields[2], CultureInfo.InvariantCulture), fields[3]);
        }
    }

    public void Print(TextWriter output)
    {
        lock (rows)
        {
            foreach (var group in rows.GroupBy(r => r.Bench))
            {
                output.WriteLine($"## {group.Key}");
                foreach (var row in group)
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Name,-48} {row.Value,14:N2} {row.Unit}"));
            }
        }
    }
}
