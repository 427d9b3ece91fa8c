using System.Globalization;
using System.Text.RegularExpressions;

namespace ChannelGrains.Common;

/// <summary>Periods are months (<c>2026-11</c>), quarters (<c>2026-Q4</c>) or years (<c>2026</c>); figures are kept by month.</summary>
public static partial class Periods
{
    public static string MonthOf(DateTime at) => at.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The months a period covers, in order; VALIDATION for anything that is not a period.</summary>
    public static IReadOnlyList<string> Months(string? period)
    {
        var match = period is null ? Match.Empty : PeriodPattern().Match(period);
        if (!match.Success) throw ChannelException.Validation($"period '{period}' is not a month (2026-11), a quarter (2026-Q4) or a year (2026).");
        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        if (match.Groups["month"].Success)
        {
            var month = int.Parse(match.Groups["month"].Value, CultureInfo.InvariantCulture);
            if (month is < 1 or > 12) throw ChannelException.Validation($"period '{period}' names no month.");
            return [Month(year, month)];
        }
        if (match.Groups["quarter"].Success)
        {
            var first = (int.Parse(match.Groups["quarter"].Value, CultureInfo.InvariantCulture) - 1) * 3 + 1;
            return Enumerable.Range(first, 3).Select(m => Month(year, m)).ToArray();
        }
        return Enumerable.Range(1, 12).Select(m => Month(year, m)).ToArray();
    }

    public static string ValidatedMonth(string? period)
    {
        var months = Months(period);
        if (months.Count != 1) throw ChannelException.Validation($"period '{period}' must be a month such as 2026-11.");
        return months[0];
    }

    private static string Month(int year, int month) => $"{year:0000}-{month:00}";

    [GeneratedRegex(@"^(?<year>\d{4})(-(?<month>\d{2})|-Q(?<quarter>[1-4]))?$")]
    private static partial Regex PeriodPattern();
}
