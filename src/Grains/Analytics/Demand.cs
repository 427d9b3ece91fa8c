using System.Globalization;

namespace ChannelGrains.Analytics;

/// <summary>
/// Units of one SKU sold out in one ISO week (<c>2026-W48</c>), counting only the days of the week that fall in the
/// contribution's month: a week spanning two months is split between their contributions, and summing the months
/// gives the whole week.
/// </summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.Analytics.WeeklySellOut")]
public sealed record class WeeklySellOut(
    [property: Id(0)] string Sku,
    [property: Id(1)] string Week,
    [property: Id(2)] int Units) : IPackable<WeeklySellOut>
{
    /// <summary>The key of a SKU's week among a month's weekly figures: <c>sku|2026-W48</c>.</summary>
    public static string KeyOf(string sku, string week) => $"{sku}|{week}";

    public static bool KeyedByItself => true;

    /// <summary>
    /// A dealer's month writes its weeks at every write of the dealer and changes them only with a sell-out: their
    /// bytes are kept from the first write after a change, not packed again at the second.
    /// </summary>
    public static bool KeepPacked => true;

    public static string OwnKey(WeeklySellOut item) => KeyOf(item.Sku, item.Week);

    public static bool IsOwnKey(string key, WeeklySellOut item) =>
        key.Length == item.Sku.Length + 1 + item.Week.Length && key.StartsWith(item.Sku, StringComparison.Ordinal)
        && key[item.Sku.Length] == '|' && key.EndsWith(item.Week, StringComparison.Ordinal);

    /// <summary>The week as its number (<see cref="IsoWeeks.Code"/>), or 0 and its text when it is not an ISO week's name.</summary>
    public void PackInto(ref PackedWriter writer)
    {
        writer.String(Sku);
        var code = IsoWeeks.Code(Week);
        writer.VarUInt(code);
        if (code == 0) writer.String(Week);
        writer.VarInt(Units);
    }

    public static WeeklySellOut Unpack(ref PackedReader reader)
    {
        var sku = reader.String();
        string week;
        if (reader.Version < 2) week = reader.String();
        else
        {
            var code = reader.VarUInt();
            week = code == 0 ? reader.String()
                : IsoWeeks.FromCode(code) ?? throw new Orleans.Serialization.SerializerException($"A packed week holds {code}, which names no ISO week.");
        }
        return new(sku, week, reader.Int32());
    }
}

/// <summary>ISO weeks as <c>2026-W48</c>.</summary>
public static class IsoWeeks
{
    public static string Of(DateOnly date)
    {
        var day = date.ToDateTime(TimeOnly.MinValue);
        return $"{ISOWeek.GetYear(day):D4}-W{ISOWeek.GetWeekOfYear(day):D2}";
    }

    public static DateOnly Monday(string week) => TryParse(week, out var year, out var number)
        ? DateOnly.FromDateTime(ISOWeek.ToDateTime(year, number, DayOfWeek.Monday))
        : throw ChannelException.Validation($"week '{week}' is not an ISO week such as 2026-W48.");

    /// <summary>A week's name as one number, year × 100 + week (202648), written in its place; 0 for a text that names no week.</summary>
    public static uint Code(string week) => TryParse(week, out var year, out var number) ? (uint)(year * 100 + number) : 0;

    /// <summary>
    /// The week a <see cref="Code"/> stands for; null for a number that stands for none. Any year of four digits reads,
    /// not only those <see cref="Period"/> accepts today: narrowing those must not make stored weeks unreadable.
    /// </summary>
    public static string? FromCode(ulong code)
    {
        if (code > int.MaxValue) return null;
        var (year, number) = ((int)code / 100, (int)code % 100);
        return year is >= 1 and <= 9999 && number >= 1 && number <= ISOWeek.GetWeeksInYear(year) ? $"{year:D4}-W{number:D2}" : null;
    }

    private static bool TryParse(string week, out int year, out int number)
    {
        (year, number) = (0, 0);
        return week is { Length: 8 } && week[4] == '-' && week[5] == 'W'
            && int.TryParse(week.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out year) && year is >= Period.MinYear and <= Period.MaxYear
            && int.TryParse(week.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out number)
            && number >= 1 && number <= ISOWeek.GetWeeksInYear(year);
    }

    /// <summary>The <paramref name="count"/> weeks ending with <paramref name="last"/>, oldest first.</summary>
    public static IReadOnlyList<string> Ending(string last, int count)
    {
        var monday = Monday(last);
        return Enumerable.Range(0, count).Select(i => Of(monday.AddDays(-7 * (count - 1 - i)))).ToArray();
    }

    /// <summary>The weeks after <paramref name="last"/>.</summary>
    public static IReadOnlyList<string> After(string last, int count)
    {
        var monday = Monday(last);
        return Enumerable.Range(1, count).Select(i => Of(monday.AddDays(7 * i))).ToArray();
    }

    /// <summary>The months any day of these weeks falls in.</summary>
    public static IReadOnlyList<Period> Months(IEnumerable<string> weeks) => weeks
        .SelectMany(w => { var monday = Monday(w); return new[] { monday, monday.AddDays(6) }; })
        .Select(d => Period.Month(d.Year, d.Month)).Distinct().OrderBy(p => p.ToString(), StringComparer.Ordinal).ToArray();

    /// <summary>True when a day of the week falls in the month (a week spans at most two months: its Monday's and its Sunday's).</summary>
    public static bool Overlaps(string week, Period month)
    {
        var monday = Monday(week);
        var sunday = monday.AddDays(6);
        return Period.Month(monday.Year, monday.Month) == month || Period.Month(sunday.Year, sunday.Month) == month;
    }
}

/// <summary>
/// Holt's linear exponential smoothing (double exponential smoothing with an additive trend), for weekly sell-out:
/// level ℓ(t) = α·y(t) + (1−α)·(ℓ(t−1) + b(t−1)); trend b(t) = β·(ℓ(t) − ℓ(t−1)) + (1−β)·b(t−1);
/// forecast h weeks ahead = ℓ + h·b, floored at zero (sell-out is never negative). Initialised with ℓ = y(0) and
/// b = y(1) − y(0). α = 0.5 and β = 0.3 follow recent weeks closely, which suits promotion-driven channel demand.
/// </summary>
public static class HoltForecast
{
    public const double DefaultAlpha = 0.5;
    public const double DefaultBeta = 0.3;
    public const string Method = "Holt linear exponential smoothing (additive trend), alpha 0.5, beta 0.3";

    public static double[] Forecast(IReadOnlyList<double> series, int horizon, double alpha = DefaultAlpha, double beta = DefaultBeta)
    {
        if (alpha is <= 0 or > 1 || beta is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(alpha), "alpha in (0, 1], beta in [0, 1].");
        if (series.Count == 0) return new double[horizon];
        var level = series[0];
        var trend = series.Count > 1 ? series[1] - series[0] : 0;
        for (var t = 1; t < series.Count; t++)
        {
            var previous = level;
            level = alpha * series[t] + (1 - alpha) * (level + trend);
            trend = beta * (level - previous) + (1 - beta) * trend;
        }
        return Enumerable.Range(1, horizon).Select(h => Math.Max(0, level + h * trend)).ToArray();
    }

    /// <summary>Weeks the stock lasts at the forecast rate: stock over the mean forecast week; null when no demand is forecast.</summary>
    public static double? WeeksOfCover(long stockUnits, IReadOnlyList<double> forecast)
    {
        var weekly = forecast.Count == 0 ? 0 : forecast.Average();
        return weekly > 0 ? Math.Max(0, stockUnits) / weekly : null;
    }
}
