using ChannelGrains.Analytics;
using ChannelGrains.Common;
using ChannelGrains.Partners;

namespace ChannelGrains.Tests.Analytics;

public sealed class ContributionRulesTests
{
    private static Contribution November(params WeeklySellOut[] weeks) =>
        new("t1", "dealer:D1", 1, "CN/East", DealerTier.Value, "2026-11", ChannelFigures.Zero,
            [new SkuFigures("P1", 1, 1m, 1, 1m, 1), new SkuFigures("P2", 1, 1m, 1, 1m, 1)], weeks);

    private static WeeklySellOut W(string sku, string week, int units) => new(sku, week, units);

    [Fact]
    public void A_well_formed_contribution_passes_with_weeks_across_the_months_edges()
    {
        // 2026-W44 starts in October and W49 ends in December: both have days in November.
        var valid = November(W("P1", "2026-W44", 1), W("P2", "2026-W44", 2), W("P1", "2026-W45", 3), W("P1", "2026-W49", 4));

        Assert.Same(valid, ContributionRules.Validated(valid));
    }

    /// <summary>Each malformed contribution, with the part of the message that names its fault.</summary>
    public static TheoryData<string, Contribution> Malformed => new()
    {
        { "week 2026-W50 has no day in 2026-11", November(W("P1", "2026-W50", 1)) },
        // After weeks inside the month, and between them: each week is checked, not only the first of a run.
        { "week 2026-W40 has no day", November(W("P1", "2026-W45", 1), W("P2", "2026-W45", 1), W("P1", "2026-W40", 1)) },
        { "week 2026-W40 has no day", November(W("P1", "2026-W45", 1), W("P1", "2026-W40", 1), W("P2", "2026-W45", 1)) },
        { "week 2026-W45 of P1 appears twice", November(W("P1", "2026-W45", 1), W("P1", "2026-W45", 2)) },
        { "weekly units must not be negative", November(W("P1", "2026-W45", -1)) },
        { "is not an ISO week", November(W("P1", "2026-W54", 1)) },
        { "is not an ISO week", November(W("P1", null!, 1)) },
        { "is not an ISO week", November(W("P1", "2026-W45", 1), W("P2", null!, 1)) },
        { "sku 'P1' appears twice", November() with { Skus = [new SkuFigures("P1", 1, 1m, 1, 1m, 1), new SkuFigures("P1", 2, 2m, 2, 2m, 2)] } },
        { "must be kind:id", November() with { SourceId = "D1" } },
        { "2026-Q4", November() with { Month = "2026-Q4" } },
        { "CN//East", November() with { Region = "CN//East" } },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_contribution_is_refused_as_a_bug_in_its_source(string fault, Contribution contribution)
    {
        var bug = Assert.Throws<ArgumentException>(() => ContributionRules.Validated(contribution));
        Assert.StartsWith($"Malformed contribution from {contribution.SourceId}:", bug.Message, StringComparison.Ordinal);
        Assert.Contains(fault, bug.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.Validation, Assert.IsType<ChannelException>(bug.InnerException).Code);
    }

    [Fact]
    public void Lists_checked_already_are_not_checked_again_but_the_rest_is()
    {
        var duplicateSku = November() with { Skus = [new SkuFigures("P1", 1, 1m, 1, 1m, 1), new SkuFigures("P1", 2, 2m, 2, 2m, 2)] };

        Assert.Same(duplicateSku, ContributionRules.Validated(duplicateSku, listsChecked: true));
        Assert.Throws<ArgumentException>(() => ContributionRules.Validated(duplicateSku with { SourceId = "D1" }, listsChecked: true));
        Assert.Throws<ArgumentException>(() => ContributionRules.Validated(duplicateSku with { SourceId = "dealer:D/1" }, listsChecked: true));
        Assert.Throws<ArgumentException>(() => ContributionRules.Validated(duplicateSku with { Month = "2026-13" }, listsChecked: true));
    }

    [Fact]
    public void A_sources_lists_are_checked_on_their_own_as_the_contribution_checks_them()
    {
        var november = Period.Parse("2026-11");
        Assert.Throws<ArgumentException>(() => ContributionRules.ValidatedSkus([new SkuFigures("P1", 1, 1m, 1, 1m, 1), new SkuFigures("P1", 2, 2m, 2, 2m, 2)]));
        Assert.Throws<ArgumentException>(() => ContributionRules.ValidatedSkus([new SkuFigures("P/1", 1, 1m, 1, 1m, 1)]));
        Assert.Throws<ArgumentException>(() => ContributionRules.ValidatedWeeks([W("P1", "2026-W50", 1)], november));
        Assert.Throws<ArgumentException>(() => ContributionRules.ValidatedWeeks([W("P1", "2026-W45", 1), W("P1", "2026-W45", 2)], november));

        IReadOnlyList<WeeklySellOut> weeks = [W("P1", "2026-W44", 1), W("P1", "2026-W49", 1)];
        Assert.Same(weeks, ContributionRules.ValidatedWeeks(weeks, november));
    }
}
