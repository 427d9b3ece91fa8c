using System.Globalization;

namespace ChannelGrains.Api.Demo;

/// <summary>
/// <c>Demo:*</c>: the demo channel seeded into tenant <see cref="Tenant"/> and the live traffic that follows. The sizes
/// default to a manufacturer of FXiaoKe's and Master Kong's scale; tests make them small.
/// </summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; }

    /// <summary>Live operations per second (orders placed, shipped, received, sell-out reports) once seeded.</summary>
    public double Rate { get; set; } = 25;

    public string Tenant { get; set; } = "demo";

    public int Dealers { get; set; } = 6_000;
    public int Reps { get; set; } = 300;
    public int Agents { get; set; } = 200;
    public int Stores { get; set; } = 20_000;
    public int Skus { get; set; } = 500;

    /// <summary>Real orders (placed, most shipped and received) and sell-out reports run through the grains while seeding, so the current month is not empty.</summary>
    public int MonthToDateOrders { get; set; } = 3_000;
    public int MonthToDateSellOuts { get; set; } = 2_000;

    /// <summary>How many grain calls the seeder keeps in flight.</summary>
    public int Parallelism { get; set; } = 64;

    public void Validate()
    {
        if (Rate < 0) throw new InvalidOperationException("Demo:Rate must not be negative.");
        if (Dealers < 1 || Skus < 5 || Stores < 1 || Reps < 0 || Agents < 0 || MonthToDateOrders < 0 || MonthToDateSellOuts < 0 || Parallelism < 1)
            throw new InvalidOperationException("Demo sizes: at least 1 dealer, 5 SKUs and 1 store; no negative counts.");
        ChannelGrains.Common.Validate.Id(Tenant, "Demo:Tenant");
    }
}

/// <summary>
/// The run command's demo flags as configuration: <c>--demo</c> is <c>Demo:Enabled=true</c>, and
/// <c>--demo-rate 50</c> (or any <c>--demo-&lt;option&gt; value</c>, e.g. <c>--demo-dealers 200</c>) is <c>Demo:Rate=50</c>.
/// </summary>
public static class DemoArguments
{
    private const string Flag = "--demo";

    public static string[] ToConfiguration(string[] args)
    {
        var result = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.Equals(Flag, StringComparison.OrdinalIgnoreCase))
            {
                result.Add($"--{DemoOptions.Section}:{nameof(DemoOptions.Enabled)}=true");
            }
            else if (arg.StartsWith(Flag + "-", StringComparison.OrdinalIgnoreCase))
            {
                var (name, value) = arg.IndexOf('=') is var eq and > 0 ? (arg[(Flag.Length + 1)..eq], arg[(eq + 1)..])
                    : i + 1 < args.Length ? (arg[(Flag.Length + 1)..], args[++i])
                    : throw new ArgumentException($"{arg} needs a value, e.g. {arg} 50.");
                result.Add($"--{DemoOptions.Section}:{PascalCase(name)}={value}");
            }
            else
            {
                result.Add(arg);
            }
        }
        return [.. result];
    }

    private static string PascalCase(string kebab) => string.Concat(kebab.Split('-', StringSplitOptions.RemoveEmptyEntries)
        .Select(part => char.ToUpper(part[0], CultureInfo.InvariantCulture) + part[1..]));
}
