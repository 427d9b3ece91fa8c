using ChannelGrains.Partners;

namespace ChannelGrains.Tests.Partners;

/// <summary>A dealer keeps a digest of each applied sell-out report (rule 7) instead of the report itself.</summary>
public sealed class SellOutDigestTests
{
    private static readonly DateTime Date = new(2026, 11, 20, 10, 0, 0, DateTimeKind.Utc);

    private static SellOutReport Report(params SellOutLine[] lines) => new("S1", "D1", Date, lines);

    [Fact]
    public void A_retry_has_the_digest_of_the_report_and_any_other_report_another()
    {
        var report = Report(new SellOutLine("P1", 4, 60m, "ST1"), new SellOutLine("P2", 1, 3.3m, null));

        Assert.Equal(report.Digest(), Report(new SellOutLine("P1", 4, 60.00m, "ST1"), new SellOutLine("P2", 1, 3.30m, null)).Digest());
        SellOutReport[] others =
        [
            report with { RequestId = "S2" },
            report with { DealerId = "D2" },
            report with { Date = Date.AddSeconds(1) },
            Report(new SellOutLine("P1", 5, 60m, "ST1"), new SellOutLine("P2", 1, 3.3m, null)),
            Report(new SellOutLine("P1", 4, 60.01m, "ST1"), new SellOutLine("P2", 1, 3.3m, null)),
            Report(new SellOutLine("P1", 4, 60m, "ST2"), new SellOutLine("P2", 1, 3.3m, null)),
            Report(new SellOutLine("P1", 4, 60m, "ST1"), new SellOutLine("P2", 1, 3.3m, "")),
            Report(new SellOutLine("P2", 1, 3.3m, null), new SellOutLine("P1", 4, 60m, "ST1")),
            Report(new SellOutLine("P1", 4, 60m, "ST1")),
            report with { RequestId = "S1\uD800" }, // unpaired surrogates: alike once encoded as UTF-8, not as UTF-16
            report with { RequestId = "S1\uDC00" },
        ];
        Assert.Equal(others.Length + 1, others.Select(o => o.Digest()).Append(report.Digest()).Distinct().Count());
    }

    [Fact]
    public void Reports_kept_whole_by_earlier_versions_are_folded_into_digests()
    {
        var report = Report(new SellOutLine("P1", 4, 60m, null));
        var state = new DealerState
        {
            SellOutReports = new(StringComparer.Ordinal) { ["S1"] = report },
            SellOutReceipts = new(StringComparer.Ordinal) { ["S0"] = new ReportDigest(1, 2) },
        };

        state.FoldEarlierVersions();

        Assert.Null(state.SellOutReports);
        Assert.Equal(report.Digest(), state.SellOutReceipts["S1"]);
        Assert.Equal(new ReportDigest(1, 2), state.SellOutReceipts["S0"]);
    }
}
