using System.Globalization;

namespace ChannelGrains.Common;

public enum PeriodKind { Month, Quarter, Year }

/// <summary>A reporting period: a month <c>2026-11</c>, a quarter <c>2026-Q4</c> or a year <c>2026</c>.</summary>
public readonly record struct Period(PeriodKind Kind, int Year, int Number)
{
    public const int MinYear = 2000;
    public const int MaxYear = 2999;

    /// <summary>The period, or a VALIDATION error naming the accepted forms.</summary>
    public static Period Parse(string? text)
    {
        if (text is { Length: 4 } && TryYear(text, out var year)) return new(PeriodKind.Year, year, 0);
        if (text is { Length: 7 } && text[4] == '-' && TryYear(text[..4], out year))
        {
            if (text[5] == 'Q' && text[6] is >= '1' and <= '4') return new(PeriodKind.Quarter, year, text[6] - '0');
            if (int.TryParse(text[5..], NumberStyles.None, CultureInfo.InvariantCulture, out var month) && month is >= 1 and <= 12)
                return new(PeriodKind.Month, year, month);
        }
        throw ChannelException.Validation($"period '{text}' is not a month (2026-11), a quarter (2026-Q4) or a year (2026).");
    }

    public static Period Month(int year, int month) => new(PeriodKind.Month, year, month);

    /// <summary>The month of an instant, in UTC.</summary>
    public static Period MonthOf(DateTime at) => Month(at.Year, at.Month);

    /// <summary>
    /// The key (YYYY-MM) of the month of <paramref name="at"/>: one string per month of this century, made once, as
    /// every write of every dealer asks for its current month's.
    /// </summary>
    public static string MonthKey(DateTime at)
    {
        var index = (at.Year - MinYear) * 12 + at.Month - 1;
        if ((uint)index >= (uint)MonthKeys.Length) return MonthOf(at).ToString();
        return MonthKeys[index] ??= MonthOf(at).ToString();
    }

    private static readonly string?[] MonthKeys = new string?[100 * 12];

    public Period EnsureMonth() =>
        Kind == PeriodKind.Month ? this : throw ChannelException.Validation($"'{this}' is not a month (YYYY-MM).");

    /// <summary>The months a period covers, in order.</summary>
    public IEnumerable<Period> Months()
    {
        var (first, count) = Kind switch
        {
            PeriodKind.Month => (Number, 1),
            PeriodKind.Quarter => ((Number - 1) * 3 + 1, 3),
            _ => (1, 12),
        };
        var year = Year;
        return Enumerable.Range(first, count).Select(m => Month(year, m));
    }

    /// <summary>The quarter and the year a month rolls into.</summary>
    public IEnumerable<Period> Enclosing()
    {
        EnsureMonth();
        yield return new(PeriodKind.Quarter, Year, (Number - 1) / 3 + 1);
        yield return new(PeriodKind.Year, Year, 0);
    }

    public override string ToString() => Kind switch
    {
        PeriodKind.Month => $"{Year:D4}-{Number:D2}",
        PeriodKind.Quarter => $"{Year:D4}-Q{Number}",
        _ => $"{Year:D4}",
    };

    private static bool TryYear(string text, out int year) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out year) && year is >= MinYear and <= MaxYear;
}
