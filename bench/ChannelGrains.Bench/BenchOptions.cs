using System.Globalization;

namespace ChannelGrains.Bench;

/// <summary>
/// <c>command [--name value | --flag]...</c>. Each benchmark reads the options it knows with its own defaults, so adding
/// a benchmark never touches this type. <c>--quick</c> asks every benchmark for its smoke-check size.
/// </summary>
public sealed class BenchOptions
{
    private readonly Dictionary<string, string?> values = new(StringComparer.OrdinalIgnoreCase);
    private readonly string[] args;

    private BenchOptions(string[] args)
    {
        this.args = args;
        Command = args.FirstOrDefault() ?? "";
    }

    public string Command { get; }

    public bool Quick => Flag("quick");

    public int Seconds => Int("seconds", Quick ? 4 : 20);
    public int Concurrency => Int("concurrency", 64);
    public int Dealers => Int("dealers", 1000);
    public int Skus => Int("skus", 500);
    public int MaxLines => Int("lines", 3);
    public int Rate => Int("rate", 1000);

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(args);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{args[i]}'");
            var name = args[i][2..];
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            options.values[name] = hasValue ? args[++i] : null;
        }
        return options;
    }

    /// <summary>These options for another command, with <paramref name="defaults"/> (<c>--name value</c> or <c>--flag</c>) where not given.</summary>
    public BenchOptions For(string command, params string[] defaults)
    {
        var extra = new List<string>();
        for (var i = 0; i < defaults.Length; i++)
        {
            var hasValue = i + 1 < defaults.Length && !defaults[i + 1].StartsWith("--", StringComparison.Ordinal);
            if (!values.ContainsKey(defaults[i][2..])) extra.AddRange(hasValue ? [defaults[i], defaults[i + 1]] : [defaults[i]]);
            if (hasValue) i++;
        }
        return Parse([command, .. args.Skip(1), .. extra]);
    }

    /// <summary>The command and its options as given, to run the same benchmark in another process.</summary>
    public IReadOnlyList<string> Arguments => args;

    public bool Flag(string name) => values.ContainsKey(name);

    public int Int(string name, int fallback) =>
        values.TryGetValue(name, out var text) && text is not null ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public string? Text(string name) => values.GetValueOrDefault(name);
}
