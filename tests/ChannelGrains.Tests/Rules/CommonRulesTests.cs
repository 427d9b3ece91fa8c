using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Partners;

namespace ChannelGrains.Tests.Rules;

public sealed class CommonRulesTests
{
    [Fact]
    public void An_id_with_a_slash_a_control_character_or_surrounding_white_space_is_refused_whatever_the_character()
    {
        for (var c = char.MinValue; ; c++)
        {
            var refusedInside = c == '/' || char.IsControl(c);
            Assert.Equal(refusedInside, Refused(() => Validate.Id($"a{c}b", "id")));
            Assert.Equal(refusedInside || char.IsWhiteSpace(c), Refused(() => Validate.Id($"{c}ab", "id")));
            Assert.Equal(refusedInside || char.IsWhiteSpace(c), Refused(() => Validate.Id($"ab{c}", "id")));
            if (c == char.MaxValue) break;
        }
        Assert.Equal("D-1", Validate.Id("D-1", "id"));
    }

    /// <summary>Found by a bad-input pass: a product name kept NUL, ESC and a right-to-left override.</summary>
    [Fact]
    public void A_name_with_a_control_character_or_a_bidirectional_override_is_refused_and_a_reason_may_break_lines()
    {
        char[] bidi = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
        for (var c = char.MinValue; ; c++)
        {
            var control = char.IsControl(c) || bidi.Contains(c);
            Assert.Equal(control, Refused(() => Validate.Name($"a{c}b", "name")));
            Assert.Equal(control && c is not ('\t' or '\n' or '\r'), Refused(() => Validate.Reason($"a{c}b", "reason")));
            if (c == char.MaxValue) break;
        }
        Assert.Equal("上海 A/B Trading", Validate.Name(" 上海 A/B Trading ", "name"));
        Assert.Equal("Approved.\nOnly for Q4.", Validate.Reason("Approved.\nOnly for Q4.", "reason"));
        Assert.Throws<ChannelException>(() => ProductRules.Validated(new ProductInfo("P1", "a\u0000\u001b[31mred\u202e", 10m, 8m)));
    }

    /// <summary>Whether the check refuses with a validation error (anything else fails the test).</summary>
    private static bool Refused(Action check)
    {
        try
        {
            check();
            return false;
        }
        catch (ChannelException e) when (e.Code == ErrorCodes.Validation)
        {
            return true;
        }
    }

    [Fact]
    public void Messages_name_a_status_as_the_api_does() =>
        Assert.Equal(["PENDING_APPROVAL", "CONFIRMED", "SHIPPED", "RECEIVED", "CANCELLED", "REJECTED"],
            Enum.GetValues<ChannelGrains.Ordering.OrderStatus>().Select(ChannelException.ApiName));

    [Theory]
    [InlineData("CN/East/Shanghai", "CN", true)]
    [InlineData("CN/East/Shanghai", "CN/East", true)]
    [InlineData("CN/East", "CN/East", true)]
    [InlineData("CN/Eastern", "CN/East", false)]
    [InlineData("CN", "CN/East", false)]
    [InlineData("US/East", "CN", false)]
    public void Region_is_within_an_ancestor_by_whole_segments(string region, string ancestor, bool within) =>
        Assert.Equal(within, RegionPath.IsWithin(region, ancestor));

    [Theory]
    [InlineData("0")]
    [InlineData("12.5")]
    [InlineData("0.0001")]
    [InlineData("9999999999999.9999")]
    public void Money_within_four_decimal_places_and_the_bound_is_accepted(string amount) =>
        Assert.Equal(decimal.Parse(amount), Validate.Money(decimal.Parse(amount), "amount"));

    [Theory]
    [InlineData("-0.01")]
    [InlineData("0.00001")]
    [InlineData("3.33333333333333333333333333")]
    [InlineData("10000000000000")]
    public void Money_that_a_running_sum_could_not_keep_exact_is_refused_with_validation(string amount) =>
        Assert.Equal(ErrorCodes.Validation, Assert.Throws<ChannelException>(() => Validate.Money(decimal.Parse(amount), "amount")).Code);

    [Fact]
    public void Rollup_path_goes_from_the_region_to_the_root() =>
        Assert.Equal(["CN/East/Shanghai", "CN/East", "CN"], RegionPath.SelfAndAncestors("CN/East/Shanghai"));

    [Theory]
    [InlineData("CN")]
    [InlineData("CN/East/Shanghai")]
    [InlineData("中国/华东/上海")]
    [InlineData("CN/North-East/Shen_yang")]
    public void Region_paths_are_accepted(string region) => Assert.Equal(region, Validate.Region(region));

    [Theory]
    [InlineData("")]
    [InlineData("/CN")]
    [InlineData("CN/")]
    [InlineData("CN//East")]
    [InlineData("CN East")]
    [InlineData("CN/East/*")]
    [InlineData("CN/East\n")]
    [InlineData("CN/East\r\n")]
    public void Malformed_region_paths_are_validation_errors(string region) =>
        Assert.Equal(ErrorCodes.Validation, Assert.Throws<ChannelException>(() => Validate.Region(region)).Code);

    [Fact]
    public void Write_off_never_takes_on_hand_below_reserved()
    {
        Assert.Equal(8, ProductRules.AdjustedOnHand(onHand: 10, reserved: 8, delta: -2, reason: "damaged"));
        Assert.Equal(ErrorCodes.InsufficientStock,
            Assert.Throws<ChannelException>(() => ProductRules.AdjustedOnHand(onHand: 10, reserved: 8, delta: -3, reason: "damaged")).Code);
        Assert.Equal(ErrorCodes.Validation, Assert.Throws<ChannelException>(() => ProductRules.AdjustedOnHand(10, 0, int.MaxValue, "x")).Code);
        Assert.Equal(ErrorCodes.Validation, Assert.Throws<ChannelException>(() => ProductRules.AdjustedOnHand(10, 0, 0, "x")).Code);
    }

    [Theory]
    [InlineData(DealerStatus.Pending, DealerStatus.Admitted, true)]
    [InlineData(DealerStatus.Admitted, DealerStatus.Suspended, true)]
    [InlineData(DealerStatus.Suspended, DealerStatus.Admitted, true)]
    [InlineData(DealerStatus.Admitted, DealerStatus.Terminated, true)]
    [InlineData(DealerStatus.Pending, DealerStatus.Suspended, false)]
    [InlineData(DealerStatus.Terminated, DealerStatus.Admitted, false)]
    [InlineData(DealerStatus.Admitted, DealerStatus.Pending, false)]
    public void Dealer_admission_moves_only_along_its_lifecycle(DealerStatus from, DealerStatus to, bool allowed) =>
        Assert.Equal(allowed, DealerRules.CanMove(from, to));

    [Fact]
    public void A_moments_month_key_is_its_month_as_text_one_string_per_month()
    {
        var key = Period.MonthKey(new DateTime(2026, 11, 30, 23, 59, 59, DateTimeKind.Utc));

        Assert.Equal("2026-11", key);
        Assert.Same(key, Period.MonthKey(new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal("2026-12", Period.MonthKey(new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal("2000-01", Period.MonthKey(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal("2100-01", Period.MonthKey(new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc))); // past the kept keys: made each time
        Assert.Equal("1999-12", Period.MonthKey(new DateTime(1999, 12, 31, 0, 0, 0, DateTimeKind.Utc)));
    }
}
