using System.Text.RegularExpressions;

namespace ChannelGrains.Common;

/// <summary>Input checks shared by every command; each failure is a <see cref="ErrorCodes.Validation"/> error naming the field.</summary>
public static partial class Validate
{
    public const int MaxIdLength = 128;
    public const int MaxNameLength = 256;

    /// <summary>The control characters: C0, DEL and C1.</summary>
    private static IEnumerable<char> Controls => Enumerable.Range(0, 32).Concat(Enumerable.Range(127, 33)).Select(c => (char)c);

    /// <summary>'/' and the control characters, which <see cref="Id"/> refuses.</summary>
    private static readonly System.Buffers.SearchValues<char> Forbidden = System.Buffers.SearchValues.Create(new string(['/', .. Controls]));

    /// <summary>An integrator id: not blank, no surrounding spaces, no '/', no control characters.</summary>
    public static string Id(string? value, string field)
    {
        if (value is null) throw ChannelException.Validation($"{field} must not be empty.");
        Id(value.AsSpan(), field);
        return value;
    }

    /// <summary>The same check of a part of a string (the id in <c>kind:id</c>), without making a string of it.</summary>
    public static void Id(ReadOnlySpan<char> value, string field)
    {
        if (value.IsWhiteSpace()) throw ChannelException.Validation($"{field} must not be empty.");
        if (value.Length > MaxIdLength) throw ChannelException.Validation($"{field} must be at most {MaxIdLength} characters.");
        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]) || value.ContainsAny(Forbidden))
            throw ChannelException.Validation($"{field} '{value}' must not contain '/', control characters or surrounding spaces.");
    }

    /// <summary>A date in the years the channel's periods name (<see cref="Period.MinYear"/> to <see cref="Period.MaxYear"/>).</summary>
    public static DateTime Date(DateTime value, string field) => value.Year is >= Period.MinYear and <= Period.MaxYear ? value
        : throw ChannelException.Validation($"{field} {value:yyyy-MM-dd} must be in the years {Period.MinYear} to {Period.MaxYear}.");

    /// <summary>
    /// The control characters, and the bidirectional embeddings, overrides and isolates, which <see cref="Name"/> refuses:
    /// a name is shown on dashboards and lists, where they would hide or reorder what is shown after them. A reason
    /// (<see cref="Reason"/>), written by a person, may hold tabs and line breaks.
    /// </summary>
    private static readonly System.Buffers.SearchValues<char> NotInNames = TextControls(lineBreaks: false), NotInReasons = TextControls(lineBreaks: true);

    private static System.Buffers.SearchValues<char> TextControls(bool lineBreaks) => System.Buffers.SearchValues.Create(new string([..
        Controls.Where(c => !lineBreaks || c is not ('\t' or '\n' or '\r')), .. Enumerable.Range(0x202A, 5).Concat(Enumerable.Range(0x2066, 4)).Select(c => (char)c)]));

    public static string Name(string? value, string field) => Text(value, field, NotInNames);

    /// <summary>Why a person decided or changed something (<see cref="Name"/>, with tabs and line breaks).</summary>
    public static string Reason(string? value, string field) => Text(value, field, NotInReasons);

    private static string Text(string? value, string field, System.Buffers.SearchValues<char> refused)
    {
        if (string.IsNullOrWhiteSpace(value)) throw ChannelException.Validation($"{field} must not be empty.");
        if (value.Length > MaxNameLength) throw ChannelException.Validation($"{field} must be at most {MaxNameLength} characters.");
        if (value.AsSpan().ContainsAny(refused))
            throw ChannelException.Validation($"{field} must not contain control characters or bidirectional overrides.");
        return value.Trim();
    }

    /// <summary>The largest decimal places and the bound of an amount of money.</summary>
    public const int MoneyDecimals = 4;
    public const decimal MoneyBound = 10_000_000_000_000m;

    /// <summary>
    /// An amount of money: not negative, at most <see cref="MoneyDecimals"/> decimal places, below
    /// <see cref="MoneyBound"/>. The live aggregates keep running sums (add the new figures, take the old out), which
    /// are exact only while every total fits a decimal's 28 digits; these bounds keep them there.
    /// </summary>
    public static decimal Money(decimal value, string field)
    {
        NonNegative(value, field);
        if (value >= MoneyBound) throw ChannelException.Validation($"{field} must be below {MoneyBound:N0}.");
        if (decimal.Round(value, MoneyDecimals) != value) throw ChannelException.Validation($"{field} has more than {MoneyDecimals} decimal places.");
        return value;
    }

    public static decimal NonNegative(decimal value, string field) =>
        value >= 0 ? value : throw ChannelException.Validation($"{field} must not be negative.");

    /// <summary>
    /// The most units a dealer holds, of all its SKUs together, and counts in a month's figure (orders placed, units
    /// ordered, sold or in stock): a dealer's figures for a year (12 months) then stay within the contract's Int, and its
    /// stock arithmetic never overflows.
    /// </summary>
    public const int MaxUnits = 100_000_000;

    /// <summary>A count of units or orders within 0..<see cref="MaxUnits"/>.</summary>
    public static int Units(long value, string field) => value is >= 0 and <= MaxUnits ? (int)value
        : throw ChannelException.Validation($"{field} must be within 0..{MaxUnits:N0}; it is {value:N0}.");

    public static int Positive(int value, string field) =>
        value > 0 ? value : throw ChannelException.Validation($"{field} must be positive.");

    /// <summary>A region path such as <c>CN/East/Shanghai</c>: non-empty segments of letters, digits, '-' or '_'.</summary>
    public static string Region(string? value, string field = "region")
    {
        if (value is null || value.Length > 256 || !RegionPattern().IsMatch(value))
            throw ChannelException.Validation($"{field} '{value}' is not a region path such as CN/East/Shanghai.");
        return value;
    }

    [GeneratedRegex(@"^[\p{L}\p{N}_-]+(/[\p{L}\p{N}_-]+)*\z")] // \z: $ would also match before a final line break
    private static partial Regex RegionPattern();
}
