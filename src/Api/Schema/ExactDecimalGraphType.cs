using System.Globalization;
using GraphQL.Types;
using GraphQLParser.AST;

namespace ChannelGrains.Api.Schema;

/// <summary>
/// The contract's <c>Decimal</c>, refusing a number a decimal cannot hold exactly instead of rounding it: GraphQL.NET's
/// scalar, and the JSON reader before it, round to a decimal's 28–29 digits, so <c>1e-30</c> arrived as 0 and
/// <c>10.00000000000000000000000000001</c> as 10, each then accepted as if it had been sent.
/// </summary>
/// <remarks>
/// A literal in the document is checked on its text. A variable arrives already read by the JSON reader, which keeps
/// a number as a double when that is exact enough and as a decimal otherwise; a decimal it had to round has a full
/// 29-digit mantissa or the largest scale, 28, so such a decimal is refused. That also refuses a few exact numbers of 29
/// digits or 28 decimal places, none of which is an amount of money (see <c>Validate.Money</c>).
/// </remarks>
public sealed class ExactDecimalGraphType : DecimalGraphType
{
    /// <summary>The most significant digits, and decimal places, this type takes.</summary>
    public const int MaxDigits = 28;

    public ExactDecimalGraphType() => Name = "Decimal";

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLFloatValue f when !IsExact(f.Value.Span) => throw Inexact(f.Value.ToString()),
        GraphQLIntValue i when !IsExact(i.Value.Span) => throw Inexact(i.Value.ToString()),
        _ => base.ParseLiteral(value),
    };

    public override object? ParseValue(object? value) => value switch
    {
        decimal d when MayBeRounded(d) => throw Inexact(d.ToString(CultureInfo.InvariantCulture)),
        double d when !double.IsFinite(d) => throw Inexact(d.ToString(CultureInfo.InvariantCulture)),
        _ => base.ParseValue(value),
    };

    /// <summary>
    /// Whether a GraphQL number's text names a value a decimal holds exactly, within the bounds this type takes: at
    /// most <see cref="MaxDigits"/> significant digits and fewer than <see cref="MaxDigits"/> decimal places.
    /// </summary>
    public static bool IsExact(ReadOnlySpan<char> text)
    {
        if (text.StartsWith("-")) text = text[1..];
        var exponent = 0;
        if (text.IndexOfAny('e', 'E') is var e and >= 0)
        {
            if (!int.TryParse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)) return false;
            text = text[..e];
        }
        // The value is the integer of all its digits times 10^power.
        var point = text.IndexOf('.');
        var digits = point < 0 ? text.ToString() : string.Concat(text[..point], text[(point + 1)..]);
        long power = exponent - (point < 0 ? 0 : text.Length - point - 1);
        var significant = digits.AsSpan().TrimStart('0');
        if (significant.IsEmpty) return true; // zero, however written
        var trimmed = significant.TrimEnd('0');
        power += significant.Length - trimmed.Length;
        return power >= 0 ? trimmed.Length + power <= MaxDigits : trimmed.Length <= MaxDigits && -power < MaxDigits;
    }

    /// <summary>A decimal the JSON reader may have rounded: the largest scale, or a mantissa of 29 digits.</summary>
    private static bool MayBeRounded(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        return value.Scale >= MaxDigits || new decimal(bits[0], bits[1], bits[2], false, 0) >= TenToTheMaxDigits;
    }

    private const decimal TenToTheMaxDigits = 10_000_000_000_000_000_000_000_000_000m;

    private static GraphQL.ExecutionError Inexact(string value) =>
        new($"{value} has more digits than a Decimal keeps ({MaxDigits} significant digits, {MaxDigits - 1} decimal places); it would be rounded.");
}
