using System.Text.RegularExpressions;

namespace ChannelGrains.Common;

/// <summary>Input checks shared by every command; each failure is a <see cref="ErrorCodes.Validation"/> error naming the field.</summary>
public static partial class Validate
{
    public const int MaxIdLength = 128;
    public const int MaxNameLength = 256;

    /// <summary>An integrator id: not blank, no surrounding spaces, no '/', no control characters.</summary>
    public static string Id(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw ChannelException.Validation($"{field} must not be empty.");
        if (value.Length > MaxIdLength) throw ChannelException.Validation($"{field} must be at most {MaxIdLength} characters.");
        if (value.Trim().Length != value.Length || value.Contains('/') || value.Any(char.IsControl))
            throw ChannelException.Validation($"{field} '{value}' must not contain '/', control characters or surrounding spaces.");
        return value;
    }

    public static string Name(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw ChannelException.Validation($"{field} must not be empty.");
        if (value.Length > MaxNameLength) throw ChannelException.Validation($"{field} must be at most {MaxNameLength} characters.");
        return value.Trim();
    }

    public static decimal NonNegative(decimal value, string field) =>
        value >= 0 ? value : throw ChannelException.Validation($"{field} must not be negative.");

    public static int Positive(int value, string field) =>
        value > 0 ? value : throw ChannelException.Validation($"{field} must be positive.");

    /// <summary>A region path such as <c>CN/East/Shanghai</c>: non-empty segments of letters, digits, '-' or '_'.</summary>
    public static string Region(string? value, string field = "region")
    {
        if (value is null || value.Length > 256 || !RegionPattern().IsMatch(value))
            throw ChannelException.Validation($"{field} '{value}' is not a region path such as CN/East/Shanghai.");
        return value;
    }

    [GeneratedRegex(@"^[\p{L}\p{N}_-]+(/[\p{L}\p{N}_-]+)*$")]
    private static partial Regex RegionPattern();
}
