using System.Text.Json;
using ChannelGrains.Analytics;
using ChannelGrains.Common;
using ChannelGrains.Partners;

namespace ChannelGrains.Tests.Analytics;

public sealed class RollupTests
{
    private static Contribution Source(string id, string region, string month, DealerTier? tier, decimal sellOut, int stock, params SkuFigures[] skus) =>
        new("t1", id, 1, region, tier, month, new ChannelFigures { SellOutValue = sellOut, ChannelStockUnits = stock, OrderCount = 1, QuotaTarget = 10m }, skus);

    [Fact]
    public void Sum_of_sources_adds_figures_per_tier_and_per_sku()
    {
        var totals = Rollup.OfSources(
        [
            Source("dealer:A", "CN/East", "2026-11", DealerTier.Strategic, 100m, 5, new SkuFigures("P1", 1, 10m, 2, 20m, 3)),
            Source("dealer:B", "CN/East", "2026-11", DealerTier.Strategic, 50m, 7, new SkuFigures("P1", 4, 40m, 1, 10m, 1), new SkuFigures("P2", 1, 1m, 1, 1m, 1)),
            Source("agent:C", "CN/East", "2026-11", null, 1m, 0),
        ]);

        Assert.Equal(151m, totals.Figures.SellOutValue);
        Assert.Equal(12, totals.Figures.ChannelStockUnits);
        Assert.Equal(3, totals.Sources);
        Assert.Equal(150m, totals.ByTier["Strategic"].SellOutValue);
        Assert.Single(totals.ByTier);
        Assert.Equal(new SkuFigures("P1", 5, 50m, 3, 30m, 4), totals.BySku["P1"]);
        Assert.Equal(new SkuFigures("P2", 1, 1m, 1, 1m, 1), totals.BySku["P2"]);
        Assert.Equal(2, totals.BySku.Count);
    }

    [Fact]
    public void Quarter_flows_are_the_sum_of_its_months_and_its_stock_is_the_latest_month_with_data()
    {
        var october = Rollup.OfSources([Source("dealer:A", "CN", "2026-10", DealerTier.Value, 10m, 100, new SkuFigures("P1", 0, 0, 1, 10m, 100))]);
        var november = Rollup.OfSources([Source("dealer:A", "CN", "2026-11", DealerTier.Value, 20m, 80, new SkuFigures("P1", 0, 0, 2, 20m, 80))]);

        var quarter = Rollup.OverMonths([("2026-11", november), ("2026-10", october), ("2026-12", ChannelTotals.Empty)]);

        Assert.Equal(30m, quarter.Figures.SellOutValue);
        Assert.Equal(20m, quarter.Figures.QuotaTarget);
        Assert.Equal(80, quarter.Figures.ChannelStockUnits);
        Assert.Equal(80, quarter.ByTier["Value"].ChannelStockUnits);
        Assert.Equal(30m, quarter.ByTier["Value"].SellOutValue);
        Assert.Equal(80, quarter.BySku["P1"].StockUnits);
        Assert.Equal(3, quarter.BySku["P1"].SellOutUnits);
    }

    [Fact]
    public void A_quarter_without_data_has_no_stock()
    {
        Assert.Equal(0, Rollup.OverMonths([("2026-10", ChannelTotals.Empty)]).Figures.ChannelStockUnits);
    }

    [Fact]
    public void Weekly_sell_out_is_summed_per_week_and_sku_across_sources_and_months()
    {
        var october = Source("dealer:A", "CN", "2026-10", null, 0m, 0) with { Weeks = [new WeeklySellOut("P1", "2026-W44", 4)] };
        var november = Source("dealer:A", "CN", "2026-11", null, 0m, 0) with { Weeks = [new WeeklySellOut("P1", "2026-W44", 6), new WeeklySellOut("P2", "2026-W45", 1)] };
        var other = Source("dealer:B", "CN", "2026-11", null, 0m, 0) with { Weeks = [new WeeklySellOut("P2", "2026-W45", 2)] };

        var weekly = Rollup.WeeklyOf([october, november, other]);

        Assert.Equal(10, weekly[ChannelTotals.WeekKey("2026-W44", "P1")]);
        Assert.Equal(3, weekly[ChannelTotals.WeekKey("2026-W45", "P2")]);
        Assert.Equal(2, weekly.Count);
    }

    [Fact]
    public void A_reused_accumulator_sums_each_time_from_nothing_and_keeps_only_unchanged_sku_records()
    {
        var a = Rollup.OfSources([Source("dealer:A", "CN/East", "2026-11", DealerTier.Value, 10m, 1, new SkuFigures("P1", 1, 1m, 1, 1m, 1), new SkuFigures("P4", 1, 1m, 1, 1m, 1))]);
        var b = Rollup.OfSources([Source("dealer:B", "CN/North", "2026-11", DealerTier.Value, 5m, 2, new SkuFigures("P1", 2, 2m, 2, 2m, 2), new SkuFigures("P4", 1, 1m, 1, 1m, 1))]);
        var accumulator = new Rollup.Accumulator();

        var first = accumulator.Sum([a, b]);
        var changed = Rollup.OfSources([Source("dealer:B", "CN/North", "2026-11", DealerTier.Value, 7m, 2, new SkuFigures("P1", 2, 2m, 3, 4m, 2), new SkuFigures("P4", 1, 1m, 1, 1m, 1))]);
        var second = accumulator.Sum([a, changed]);

        Assert.True(Rollup.Same(Rollup.Sum([a, changed]), second));
        Assert.Equal(17m, second.Figures.SellOutValue);
        Assert.Equal(new SkuFigures("P1", 3, 3m, 4, 5m, 3), second.BySku["P1"]);
        Assert.NotSame(first.BySku["P1"], second.BySku["P1"]);
        Assert.Same(first.BySku["P4"], second.BySku["P4"]); // in both inputs, unchanged: the earlier record
        Assert.Equal(new SkuFigures("P4", 2, 2m, 2, 2m, 2), second.BySku["P4"]);
        Assert.Equal(2, second.BySku.Count);
        Assert.Equal(17m, second.ByTier["Value"].SellOutValue);
        // The first result is not touched by the second sum.
        Assert.Equal(15m, first.Figures.SellOutValue);
        Assert.Equal(new SkuFigures("P1", 3, 3m, 3, 3m, 3), first.BySku["P1"]);
        Assert.Equal(15m, first.ByTier["Value"].SellOutValue);

        var quarter = accumulator.OverMonths([("2026-10", a), ("2026-11", changed)]);
        Assert.True(Rollup.Same(Rollup.OverMonths([("2026-10", a), ("2026-11", changed)]), quarter));
    }

    [Fact]
    public void Replacing_inputs_one_by_one_always_equals_the_sum_of_the_inputs_held_keys_included()
    {
        var random = new Random(17);
        const int Skus = 120; // several per chunk of a breakdown, so that replacing walks chunks of many SKUs
        var tiers = new DealerTier?[] { DealerTier.Strategic, DealerTier.Value, null };
        ChannelTotals Random(int i) => Rollup.OfSources(Enumerable.Range(0, random.Next(0, 3)).Select(d =>
            Source($"dealer:{i}-{d}", "CN", "2026-11", tiers[random.Next(tiers.Length)], random.Next(0, 1000) / 100m, random.Next(0, 50),
                Enumerable.Range(0, Skus).Where(_ => random.Next(4) == 0)
                    .Select(k => new SkuFigures($"P{k}", random.Next(0, 9), random.Next(0, 9000) / 100m, random.Next(0, 9), random.Next(0, 9000) / 100m, random.Next(0, 9)))
                    .ToArray())));
        // A new input shares parts with the one it replaces, as an aggregate's inputs do: the same breakdown with
        // other figures, or one with a SKU changed, added or taken out and the other chunks the same arrays.
        static (string, SkuFigures?) Set(SkuFigures figures) => (figures.Sku, figures);
        ChannelTotals Next(int step, ChannelTotals? held) => (held, random.Next(5)) switch
        {
            ({ } h, 0) => h with { Figures = h.Figures with { SellOutValue = h.Figures.SellOutValue + 1.5m } },
            ({ BySku.Count: > 0 } h, 1) => h with { BySku = h.BySku.With([(h.BySku.First().Sku, h.BySku.First() with { OrderUnits = random.Next(0, 9) })]) },
            ({ BySku.Count: > 0 } h, 2) => h with { BySku = h.BySku.With([(h.BySku.Last().Sku, null)]) },
            ({ } h, 3) => h with { BySku = h.BySku.With([Set(new SkuFigures($"P{random.Next(0, Skus)}", 1, 1m, 1, 1m, 1))]) },
            _ => Random(step),
        };
        var inputs = new Dictionary<int, ChannelTotals>();
        var accumulator = new Rollup.Accumulator();
        for (var step = 0; step < 500; step++)
        {
            var input = random.Next(5);
            var held = inputs.GetValueOrDefault(input);
            var now = inputs[input] = Next(step, held);
            // Both ways an input is replaced: key by key where the figures differ, or all of it out and in again.
            if (held is null) accumulator.Add(now);
            else if (step % 2 == 0) accumulator.Replace(held, now);
            else
            {
                accumulator.Remove(held);
                accumulator.Add(now);
            }
            // Now and then a result with another input's stocks (as a quarter takes its latest month's) in between.
            if (step % 7 == 0)
            {
                var months = inputs.Select(i => ($"2026-{i.Key + 1:00}", i.Value)).ToArray();
                var quarter = accumulator.ToTotals(Rollup.Accumulator.LatestWithData(months));
                Assert.True(Rollup.Same(Rollup.OverMonths(months), quarter), $"step {step}: quarter {JsonSerializer.Serialize(quarter)}");
            }
            var running = accumulator.ToTotals(null);
            var expected = Rollup.Sum(inputs.Values);
            Assert.True(Rollup.Same(expected, running), $"step {step}: {JsonSerializer.Serialize(running)} != {JsonSerializer.Serialize(expected)}");
        }
    }

    [Fact]
    public void Taking_contributions_out_and_in_always_equals_the_sum_of_the_sources_held()
    {
        var random = new Random(5);
        var tiers = new DealerTier?[] { DealerTier.Strategic, DealerTier.Potential, null };
        var sources = new Dictionary<int, Contribution>();
        var accumulator = new Rollup.Accumulator();
        for (var step = 0; step < 300; step++)
        {
            var id = random.Next(6);
            var now = Source($"dealer:{id}", "CN", "2026-11", tiers[random.Next(tiers.Length)], random.Next(0, 1000) / 100m, random.Next(0, 50),
                Enumerable.Range(0, 5).Where(_ => random.Next(2) == 0)
                    .Select(k => new SkuFigures($"P{k}", random.Next(0, 9), random.Next(0, 9000) / 100m, random.Next(0, 9), random.Next(0, 9000) / 100m, random.Next(0, 9)))
                    .ToArray());
            if (sources.TryGetValue(id, out var held)) accumulator.Remove(held);
            if (random.Next(8) == 0) sources.Remove(id); // a source that moved to another region leaves this sum
            else accumulator.Add(sources[id] = now);
            var running = accumulator.ToTotals(null);
            var expected = Rollup.OfSources(sources.Values);
            Assert.True(Rollup.Same(expected, running), $"step {step}: {JsonSerializer.Serialize(running)} != {JsonSerializer.Serialize(expected)}");
        }
    }

    [Fact]
    public void Replacing_a_sources_contribution_always_equals_the_sum_of_the_sources_held()
    {
        var random = new Random(11);
        var tiers = new DealerTier?[] { DealerTier.Strategic, DealerTier.Value, null };
        SkuFigures Sku(int k) => new($"P{k}", random.Next(0, 9), random.Next(0, 9000) / 100m, random.Next(0, 9), random.Next(0, 9000) / 100m, random.Next(0, 9));
        // As a dealer rebuilds its contribution: mostly the same records with one or two new, sometimes a SKU added,
        // taken out or moved, another tier, or the same figures in new records.
        Contribution Next(Contribution held) => random.Next(7) switch
        {
            0 => held with { Skus = [.. held.Skus.Select((s, i) => i == 0 ? s with { OrderUnits = s.OrderUnits + 1 } : s)] },
            1 => held with { Skus = [.. held.Skus, Sku(100 + random.Next(20))], Figures = held.Figures with { OrderCount = held.Figures.OrderCount + 1 } },
            2 => held with { Skus = [.. held.Skus.Skip(1)] },
            3 => held with { Skus = [.. held.Skus.Reverse()] },
            4 => held with { Tier = tiers[random.Next(tiers.Length)], Figures = held.Figures with { SellOutValue = held.Figures.SellOutValue + 2.5m } },
            5 => held with { Skus = [.. held.Skus.Select(s => s with { })] },
            _ => held with { Skus = [.. held.Skus.Select(s => random.Next(3) == 0 ? s with { SellOutValue = s.SellOutValue + 1m, StockUnits = s.StockUnits - 1 } : s)] },
        };
        var sources = new Dictionary<int, Contribution>();
        var accumulator = new Rollup.Accumulator();
        var replaced = 0;
        for (var step = 0; step < 400; step++)
        {
            var id = random.Next(5);
            if (sources.TryGetValue(id, out var held))
            {
                var now = sources[id] = Next(held);
                accumulator.Replace(held, now);
                replaced++;
            }
            else accumulator.Add(sources[id] = Source($"dealer:{id}", "CN", "2026-11", tiers[random.Next(tiers.Length)], random.Next(0, 1000) / 100m,
                random.Next(0, 50), [.. Enumerable.Range(0, 20).Where(_ => random.Next(3) > 0).Select(Sku)]));
            var running = accumulator.ToTotals(null);
            var expected = Rollup.OfSources(sources.Values);
            Assert.True(Rollup.Same(expected, running), $"step {step}: {JsonSerializer.Serialize(running)} != {JsonSerializer.Serialize(expected)}");
        }
        Assert.True(replaced > 300);
    }

    [Fact]
    public void A_replaced_contribution_changes_only_the_skus_whose_records_differ()
    {
        var p1 = new SkuFigures("P1", 1, 1m, 1, 1m, 1);
        var old = Source("dealer:A", "CN", "2026-11", DealerTier.Value, 10m, 1, p1, new SkuFigures("P2", 1, 1m, 1, 1m, 1));
        var accumulator = new Rollup.Accumulator();
        accumulator.Add(old);
        var first = accumulator.ToTotals(null);

        var now = old with { Skus = [p1, new SkuFigures("P2", 3, 3m, 1, 1m, 1)], Figures = old.Figures with { OrderCount = 2 } };
        accumulator.Replace(old, now);
        Assert.Equal(1, accumulator.SkusToRedo); // taking the old one out and adding the new one would redo both
        var second = accumulator.ToTotals(null);

        Assert.Same(first.BySku["P1"], second.BySku["P1"]);
        Assert.Equal(new SkuFigures("P2", 3, 3m, 1, 1m, 1), second.BySku["P2"]);
        Assert.Equal(2, second.Figures.OrderCount);
        Assert.Equal(2, second.ByTier["Value"].OrderCount);
        Assert.Equal(1, second.Sources);
    }

    [Fact]
    public void An_unchanged_sum_is_the_previous_result_itself_and_a_changed_one_keeps_the_unchanged_records()
    {
        var a = Rollup.OfSources([Source("dealer:A", "CN", "2026-11", DealerTier.Value, 10m, 1, new SkuFigures("P1", 1, 1m, 1, 1m, 1), new SkuFigures("P2", 1, 1m, 1, 1m, 1))]);
        var accumulator = new Rollup.Accumulator();
        accumulator.Add(a);
        var first = accumulator.ToTotals(null);
        var second = accumulator.ToTotals(null);

        // The same figures again, in new records: nothing changed.
        var again = Rollup.OfSources([Source("dealer:A", "CN", "2026-11", DealerTier.Value, 10m, 1, new SkuFigures("P1", 1, 1m, 1, 1m, 1), new SkuFigures("P2", 1, 1m, 1, 1m, 1))]);
        accumulator.Replace(a, again);
        var third = accumulator.ToTotals(null);

        var changed = Rollup.OfSources([Source("dealer:A", "CN", "2026-11", DealerTier.Value, 10m, 1, new SkuFigures("P1", 1, 1m, 1, 1m, 1), new SkuFigures("P2", 2, 2m, 1, 1m, 1))]);
        accumulator.Replace(again, changed);
        var fourth = accumulator.ToTotals(null);

        Assert.Same(first, second);
        Assert.Same(first, third);
        Assert.NotSame(first, fourth);
        Assert.Same(first.BySku["P1"], fourth.BySku["P1"]);
        Assert.Equal(new SkuFigures("P2", 2, 2m, 1, 1m, 1), fourth.BySku["P2"]);
        Assert.Equal(new SkuFigures("P2", 1, 1m, 1, 1m, 1), first.BySku["P2"]); // a result handed out is never changed
    }

    [Fact]
    public void Same_compares_breakdowns_by_value()
    {
        var a = Rollup.OfSources([Source("dealer:A", "CN", "2026-10", DealerTier.Value, 10m, 1, new SkuFigures("P1", 1, 1m, 1, 1m, 1))]);
        var b = Rollup.OfSources([Source("dealer:B", "CN", "2026-10", DealerTier.Value, 10m, 1, new SkuFigures("P1", 1, 1m, 1, 1m, 1))]);
        var c = Rollup.OfSources([Source("dealer:B", "CN", "2026-10", DealerTier.Value, 10m, 1, new SkuFigures("P1", 1, 1m, 1, 1m, 2))]);

        Assert.True(Rollup.Same(a, b));
        Assert.False(Rollup.Same(a, c));
    }

    [Fact]
    public void Top_sellers_sum_a_dealer_over_months_and_rank_highest_first()
    {
        var top = Rollup.TopSellers(
        [
            new DealerSellOut("A", "CN/East", "2026-10", 50m),
            new DealerSellOut("A", "CN/North", "2026-11", 60m),
            new DealerSellOut("B", "CN/East", "2026-10", 100m),
            new DealerSellOut("C", "CN/East", "2026-10", 10m),
        ], first: 2);

        Assert.Equal(["A", "B"], top.Select(t => t.DealerId));
        Assert.Equal(110m, top[0].SellOutValue);
        Assert.Equal("CN/North", top[0].Region);
    }

    [Fact]
    public void Top_sellers_rank_ties_by_id_and_take_the_region_of_the_latest_month_in_any_order()
    {
        var top = Rollup.TopSellers(
        [
            new DealerSellOut("D", "CN/South", "2026-12", 30m), // latest month first
            new DealerSellOut("B", "CN/East", "2026-10", 40m),
            new DealerSellOut("D", "CN/East", "2026-10", 10m),
            new DealerSellOut("A", "CN/East", "2026-11", 40m),
            new DealerSellOut("C", "CN/East", "2026-11", 39.99m),
        ], first: 10);

        Assert.Equal(["A", "B", "D", "C"], top.Select(t => t.DealerId));
        Assert.Equal((40m, "CN/South"), (top[2].SellOutValue, top[2].Region));
        Assert.Empty(Rollup.TopSellers(top, first: 0));
    }

    [Theory]
    [InlineData("CN/East/Shanghai/Pudong", "CN", "CN/East")]
    [InlineData("CN/East/Shanghai", "CN/East", "CN/East/Shanghai")]
    [InlineData("CN/East", "CN/East", null)]
    [InlineData("CN/Eastern", "CN/East", null)]
    public void Child_on_the_path_is_the_next_segment_below_the_ancestor(string region, string ancestor, string? child)
    {
        Assert.Equal(child, Rollup.ChildOn(region, ancestor));
    }

    [Theory]
    [InlineData("2026-11", PeriodKind.Month, 11)]
    [InlineData("2026-01", PeriodKind.Month, 1)]
    [InlineData("2026-Q4", PeriodKind.Quarter, 4)]
    [InlineData("2026", PeriodKind.Year, 0)]
    public void Periods_parse_and_print_the_same(string text, PeriodKind kind, int number)
    {
        var period = Period.Parse(text);

        Assert.Equal((kind, 2026, number), (period.Kind, period.Year, period.Number));
        Assert.Equal(text, period.ToString());
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-00")]
    [InlineData("2026-Q5")]
    [InlineData("2026-Q0")]
    [InlineData("26-11")]
    [InlineData("2026-1")]
    [InlineData("2026/11")]
    [InlineData("")]
    [InlineData("1999")]
    [InlineData("2026-11 ")]
    public void Malformed_periods_are_refused_with_validation(string text)
    {
        Assert.Equal(ErrorCodes.Validation, Assert.Throws<ChannelException>(() => Period.Parse(text)).Code);
    }

    [Fact]
    public void A_quarter_covers_its_three_months_and_a_month_rolls_into_its_quarter_and_year()
    {
        Assert.Equal(["2026-10", "2026-11", "2026-12"], Period.Parse("2026-Q4").Months().Select(m => m.ToString()));
        Assert.Equal(12, Period.Parse("2026").Months().Count());
        Assert.Equal(["2026-Q2", "2026"], Period.Parse("2026-05").Enclosing().Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("D1", "CN/East", "2026-11")]
    [InlineData("dealer:", "CN/East", "2026-11")]
    [InlineData("dealer:D/1", "CN/East", "2026-11")]
    [InlineData("dealer:D1", "CN//East", "2026-11")]
    [InlineData("dealer:D1", "CN/East", "2026-Q4")]
    public void Malformed_contributions_are_refused_as_a_bug_in_the_source(string source, string region, string month)
    {
        var contribution = new Contribution("t1", source, 1, region, null, month, ChannelFigures.Zero, []);

        Assert.Throws<ArgumentException>(() => ContributionRules.Validated(contribution));
    }

    [Fact]
    public void Only_a_newer_version_supersedes_a_held_contribution()
    {
        var held = Source("dealer:A", "CN", "2026-10", null, 1m, 1) with { Version = 5 };

        Assert.False(ContributionRules.Supersedes(held with { Version = 5 }, held));
        Assert.False(ContributionRules.Supersedes(held with { Version = 4 }, held));
        Assert.True(ContributionRules.Supersedes(held with { Version = 6 }, held));
        Assert.True(ContributionRules.Supersedes(held, null));
    }

    [Fact]
    public void Shard_state_round_trips_through_system_text_json()
    {
        var state = new SourceShardState();
        state.Sources["dealer:A"] = Source("dealer:A", "CN/East", "2026-11", DealerTier.Potential, 12.5m, 3, new SkuFigures("P1", 1, 2m, 3, 4m, 5))
            with { Weeks = [new WeeklySellOut("P1", "2026-W45", 3)] };
        state.Sources["agent:B"] = Source("agent:B", "CN", "2026-11", null, 1m, 0);

        var copy = JsonSerializer.Deserialize<SourceShardState>(JsonSerializer.Serialize(state))!;

        Assert.Equal(2, copy.Sources.Count);
        var a = copy.Sources["dealer:A"];
        Assert.Equal(state.Sources["dealer:A"] with { Skus = a.Skus, Weeks = a.Weeks }, a);
        Assert.Equal(state.Sources["dealer:A"].Skus, a.Skus);
        Assert.Equal(state.Sources["dealer:A"].Weeks, a.Weeks);
        Assert.Null(copy.Sources["agent:B"].Tier);
    }
}
