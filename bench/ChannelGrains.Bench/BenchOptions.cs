using System.Globalization;

namespace ChannelGrains.Bench;

public sealed record BenchOptions(string Command, int Seconds, int Concurrency, int Dealers, int Skus, int MaxLines, int Rate)
{
    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i + 1 < args.Length; i += 2) values[args[i].TrimStart('-')] = args[i + 1];
        int Get(string name, int fallback) => values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return new(args.FirstOrDefault() ?? "", Get("seconds", 20), Get("concurrency", 64), Get("dealers", 1000), Get("skus", 500), Get("lines", 3), Get("rate", 1000));
    }
}
