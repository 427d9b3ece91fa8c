using System.Globalization;
using ChannelGrains.Api.Schema;
using GraphQLParser.AST;

namespace ChannelGrains.Tests.Api;

/// <summary>The contract's Decimal takes what a decimal holds exactly and refuses what it would round.</summary>
public sealed class ExactDecimalTests
{
    private readonly ExactDecimalGraphType scalar = new();

    [Theory]
    [InlineData("0")]
    [InlineData("-0.000e5")]
    [InlineData("12.3400")]
    [InlineData("1.5e3")]
    [InlineData("-42")]
    [InlineData("1e27")]
    [InlineData("0.000000000000000000000000001")]
    [InlineData("9999999999999999999999999999")]
    [InlineData("123.4500000000000000000000000000000000")]
    public void A_number_a_decimal_holds_exactly_is_taken_as_a_literal(string text)
    {
        Assert.True(ExactDecimalGraphType.IsExact(text));
        Assert.Equal(decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), scalar.ParseLiteral(Literal(text)));
    }

    [Theory]
    [InlineData("1e-30")]
    [InlineData("1e-28")]
    [InlineData("1e28")]
    [InlineData("99999999999999999999999999999")]
    [InlineData("10.00000000000000000000000000001")]
    [InlineData("1e99999999999")]
    public void A_number_a_decimal_would_round_is_refused_as_a_literal(string text)
    {
        Assert.False(ExactDecimalGraphType.IsExact(text));
        Assert.ThrowsAny<Exception>(() => scalar.ParseLiteral(Literal(text)));
    }

    [Fact]
    public void A_variable_the_json_reader_rounded_is_refused_and_an_exact_one_taken()
    {
        Assert.Equal(9999999999999999999999999999m, scalar.ParseValue(9999999999999999999999999999m));
        Assert.Equal(0.000000000000000000000000001m, scalar.ParseValue(0.000000000000000000000000001m));
        Assert.Equal(12.5m, scalar.ParseValue(12.5d));
        Assert.ThrowsAny<Exception>(() => scalar.ParseValue(decimal.Parse("1e-30", NumberStyles.Float, CultureInfo.InvariantCulture)));
        Assert.ThrowsAny<Exception>(() => scalar.ParseValue(decimal.Parse("10.00000000000000000000000000001", CultureInfo.InvariantCulture)));
        Assert.ThrowsAny<Exception>(() => scalar.ParseValue(double.PositiveInfinity));
    }

    private static GraphQLValue Literal(string text) => text.AsSpan().IndexOfAny('.', 'e', 'E') >= 0
        ? new GraphQLFloatValue(text.AsMemory())
        : new GraphQLIntValue(text.AsMemory());
}
