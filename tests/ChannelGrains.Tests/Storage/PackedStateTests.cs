using ChannelGrains.Analytics;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Orleans.Storage;

namespace ChannelGrains.Tests.Storage;

/// <summary>
/// A dealer's long collections (order references, sell-out receipts, SKU months) are stored packed, and kept packed
/// between writes while they do not change: what is read back is what was written, after any change, and states
/// written before they were packed read the same.
/// </summary>
public sealed class PackedStateTests : IDisposable
{
    private static readonly DateTime At = new(2026, 12, 6, 10, 30, 0, DateTimeKind.Utc);

    private readonly ServiceProvider services = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(DealerState).Assembly).AddAssembly(typeof(PackedStateTests).Assembly)).BuildServiceProvider();

    private Serializer Serializer => services.GetRequiredService<Serializer>();

    public void Dispose() => services.Dispose();

    [Fact]
    public void A_dealer_state_reads_back_as_written_with_every_kind_of_value()
    {
        var state = Dealer(orders: 300, receipts: 40);
        state.Months["2026-12"].Skus["P-max"] = new SkuFigures("P-max", int.MaxValue, decimal.MaxValue, int.MinValue, decimal.MinValue, -1);
        state.Months["2026-12"].Skus["P-scale"] = new SkuFigures("P-scale", 0, 12.3400m, 1, 0.0000000000000000000000000001m, 0);
        state.Months["2026-12"].Weeks["P-max|2026-W49"] = new WeeklySellOut("P-max", "2026-W49", 12);
        state.Orders.Add(new OrderRef("订单-7 ✓", DateTime.SpecifyKind(At, DateTimeKind.Unspecified)));

        var back = RoundTrip(state);

        Assert.Equal(state.Orders, back.Orders);
        Assert.Equal(DateTimeKind.Unspecified, back.Orders[^1].PlacedAt.Kind);
        Assert.Equal(state.Months["2026-12"].Skus.OrderBy(s => s.Key), back.Months["2026-12"].Skus.OrderBy(s => s.Key));
        Assert.Equal(state.Months["2026-12"].Weeks.OrderBy(s => s.Key), back.Months["2026-12"].Weeks.OrderBy(s => s.Key));
        Assert.Equal("12.3400", back.Months["2026-12"].Skus["P-scale"].OrderValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Receipts(state), Receipts(back));
        Assert.Equal(2, back.ReceiptsByMonth!["2026-11"]["S3"].Alerts!.Count);
        Assert.Equal(state.Inventory.OrderBy(s => s.Key), back.Inventory.OrderBy(s => s.Key));
        Assert.Equal(OpenOrders(state), OpenOrders(back));
    }

    [Fact]
    public void Every_change_after_a_write_is_in_the_next_write()
    {
        var state = Dealer(orders: 40, receipts: 40);
        RoundTrip(state); // the collections now keep the bytes of this write

        state.Orders.Add(new OrderRef("added", At));
        Assert.Equal(state.Orders, RoundTrip(state).Orders);
        state.Orders.RemoveRange(0, 10);
        Assert.Equal(state.Orders, RoundTrip(state).Orders);

        var receipts = state.ReceiptsByMonth!["2026-12"];
        receipts["new"] = new SellOutReceipt(new ReportDigest(7, 8), null);
        Assert.Equal(Receipts(state), Receipts(RoundTrip(state)));
        Assert.True(receipts.Remove("S0"));
        Assert.Equal(Receipts(state), Receipts(RoundTrip(state)));
        Assert.DoesNotContain("S0", RoundTrip(state).ReceiptsByMonth!["2026-12"].Keys);
        receipts["S2"] = new SellOutReceipt(new ReportDigest(9, 9), null);
        Assert.Equal(Receipts(state), Receipts(RoundTrip(state)));
        Assert.Equal(new ReportDigest(9, 9), RoundTrip(state).ReceiptsByMonth!["2026-12"]["S2"].Digest);
    }

    [Fact]
    public void Empty_collections_read_back_empty_and_take_entries()
    {
        var back = RoundTrip(new DealerState());

        Assert.Empty(back.Orders);
        back.Orders.Add(new OrderRef("first", At));
        DealerReceipts.Add(back, "2026-12", "S1", new SellOutReceipt(new ReportDigest(1, 1), null));
        Assert.Equal(["first"], RoundTrip(back).Orders.Select(o => o.Id));
        Assert.Equal(Receipts(back), Receipts(RoundTrip(back)));
    }

    [Fact]
    public void A_collection_that_did_not_change_is_written_from_the_bytes_it_kept_and_one_that_did_is_packed_again()
    {
        var state = Dealer(orders: 100, receipts: 0);
        var first = Serializer.SerializeToArray(state);

        Assert.NotNull(state.Orders.Kept.Current);
        Assert.Equal(first, Serializer.SerializeToArray(state));
        state.Orders.Add(new OrderRef("added", At));
        Assert.Null(state.Orders.Kept.Current);
        Assert.Equal("added", RoundTrip(state).Orders[^1].Id);
    }

    [Fact]
    public void A_list_tells_from_its_kept_bytes_that_no_entry_names_a_text()
    {
        var state = Dealer(orders: 100, receipts: 0);
        Assert.True(state.Orders.MayHold("nowhere")); // nothing kept yet: it cannot tell

        Serializer.SerializeToArray(state);
        Assert.False(state.Orders.MayHold("nowhere"));
        Assert.False(state.Orders.MayHold(new string('x', 300))); // longer than the bytes it encodes on the stack
        Assert.True(state.Orders.MayHold(state.Orders[42].Id));
        Assert.True(state.Orders.MayHold(state.Orders[^1].Id));

        state.Orders.Add(new OrderRef("added", At));
        Assert.True(state.Orders.MayHold("nowhere")); // an entry added since the write is not in the bytes
        Serializer.SerializeToArray(state);
        Assert.True(state.Orders.MayHold("added"));
        Assert.False(state.Orders.MayHold("nowhere"));
    }

    [Fact]
    public void A_month_that_stopped_changing_keeps_its_bytes_from_its_second_write_and_a_change_is_written_all_the_same()
    {
        var state = Dealer(orders: 0, receipts: 0);
        var skus = state.Months["2026-12"].Skus;
        var small = state.OpenOrders; // fewer entries than are worth keeping

        Serializer.SerializeToArray(state);
        Assert.Null(skus.Kept.Current); // changed just before this write: it may change again at the next
        var second = Serializer.SerializeToArray(state);
        Assert.NotNull(skus.Kept.Current);
        Assert.Null(small.Kept.Current);
        Assert.Equal(second, Serializer.SerializeToArray(state));

        skus["SKU00003"] = new SkuFigures("SKU00003", 99, 1m, 0, 0m, 4);
        Assert.Null(skus.Kept.Current);
        Assert.Equal(99, RoundTrip(state).Months["2026-12"].Skus["SKU00003"].OrderUnits);
        Assert.Null(skus.Kept.Current); // the write after a change packs again and keeps nothing yet
        skus.Remove("SKU00004");
        Serializer.SerializeToArray(state);
        var back = RoundTrip(state).Months["2026-12"].Skus;
        Assert.NotNull(skus.Kept.Current);
        Assert.Equal(skus.OrderBy(s => s.Key), back.OrderBy(s => s.Key));
        Assert.False(back.ContainsKey("SKU00004"));
    }

    [Fact]
    public void Bytes_kept_by_a_write_that_finished_after_a_change_are_not_used()
    {
        // A grain call to another silo serializes its argument where the message is sent, maybe after the grain changed it.
        var state = Dealer(orders: 100, receipts: 0);
        var stale = RoundTripBytesOf(state);
        state.Orders.RemoveRange(0, 1);
        state.Orders.Add(new OrderRef("added", At)); // as many entries as the stale bytes hold, and one more after them

        state.Orders.Kept.Keep(stale);

        Assert.Equal(state.Orders, RoundTrip(state).Orders);
        Assert.Equal("O000001-00001eef", RoundTrip(state).Orders[0].Id);
    }

    [Fact]
    public void An_entry_added_at_the_end_is_packed_alone_after_the_bytes_kept_for_the_others()
    {
        var state = Dealer(orders: 100, receipts: 0);
        var before = RoundTripBytesOf(state);
        state.Orders.Add(new OrderRef("added", At));

        Serializer.SerializeToArray(state);

        var after = state.Orders.Kept.Current!;
        Assert.Equal(101, after.Count);
        Assert.True(before.Entries.SequenceEqual(after.Entries[..before.Length])); // the 100 entries' bytes, as kept
        Assert.Equal("added", RoundTrip(state).Orders[^1].Id);
    }

    [Fact]
    public void Bytes_followed_twice_from_the_same_start_keep_each_their_own_bytes()
    {
        var start = PackedFormat.Bytes.Of(1, 2, [1, 2]);
        var first = start.Then(2, 3, [3]);  // copied to a buffer with room to spare
        var second = first.Then(3, 4, [4]); // in place, after the first's bytes
        var other = first.Then(3, 4, [9]);  // the room after the first's bytes is taken: copied

        Assert.Equal([1, 2, 3], first.Entries.ToArray());
        Assert.Equal([1, 2, 3, 4], second.Entries.ToArray());
        Assert.Equal([1, 2, 3, 9], other.Entries.ToArray());
        Assert.Equal([1, 2, 3, 4, 5], second.Then(4, 5, [5]).Entries.ToArray());
        Assert.Equal([1, 2], start.Entries.ToArray());
    }

    [Fact]
    public void A_write_packs_only_the_entries_changed_since_the_last_and_copies_the_others_bytes()
    {
        var entries = new PackedDictionary<CountedEntry>();
        for (var i = 0; i < 20; i++) entries[$"k{i:00}"] = new CountedEntry(i);
        Serializer.SerializeToArray(entries);
        CountedEntry.Packed = 0;

        entries["k05"] = new CountedEntry(500);
        entries["k20"] = new CountedEntry(20);
        var bytes = Serializer.SerializeToArray(entries);

        Assert.Equal(2, CountedEntry.Packed); // k05 and k20, which the last write did not hold
        entries["k06"] = new CountedEntry(600);
        CountedEntry.Packed = 0;
        bytes = Serializer.SerializeToArray(entries);
        Assert.Equal(1, CountedEntry.Packed);
        Assert.Equal(Serializer.SerializeToArray(new PackedDictionary<CountedEntry>(entries)), bytes);
        var back = Serializer.Deserialize<PackedDictionary<CountedEntry>>(bytes)!;
        Assert.Equal([.. entries.Select(e => (e.Key, e.Value.Value))], back.Select(e => (e.Key, e.Value.Value)));
    }

    [Fact]
    public void The_same_record_under_another_key_at_a_removed_entrys_place_is_written_with_its_own_key()
    {
        var entries = new PackedDictionary<CountedEntry>();
        var records = Enumerable.Range(0, 20).Select(i => new CountedEntry(i)).ToArray();
        for (var i = 0; i < 20; i++) entries[$"k{i:00}"] = records[i];
        Serializer.SerializeToArray(entries);

        entries.Remove("k03");
        entries["moved"] = records[3]; // takes the removed entry's place in the order
        entries.Remove("k09");
        entries["k09"] = records[9]; // the same key and record again, at the place k09 had
        var bytes = Serializer.SerializeToArray(entries);

        Assert.Equal(Serializer.SerializeToArray(new PackedDictionary<CountedEntry>(entries)), bytes);
        var back = Serializer.Deserialize<PackedDictionary<CountedEntry>>(bytes)!;
        Assert.Equal(3, back["moved"].Value);
        Assert.False(back.ContainsKey("k03"));
        Assert.Equal([.. entries.Keys], back.Keys);
    }

    /// <summary>
    /// Whatever happened to a collection between writes, each write is byte for byte the write of a new collection
    /// holding the same entries in the same order, which packs them all: entries added at the end (packed after the
    /// bytes kept), entries replaced or removed (which make the kept bytes useless), and keys added after a removal (which
    /// may take the removed key's place in the order).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_write_is_the_bytes_of_packing_the_entries_anew(int seed)
    {
        var random = new Random(seed);
        var orders = new PackedList<OrderRef>();
        var receipts = new PackedDictionary<SellOutReceipt>();
        var skus = new PackedDictionary<SkuFigures>();
        var used = 0;
        for (var step = 0; step < 600; step++)
        {
            switch (random.Next(10))
            {
                case < 4:
                    orders.Add(new OrderRef($"O{used++}", At.AddSeconds(step)));
                    receipts[$"S{used++}"] = new SellOutReceipt(new ReportDigest((ulong)step, 1), null);
                    break;
                case 4 when orders.Count > 0:
                    orders.RemoveRange(0, random.Next(1, Math.Min(orders.Count, 20) + 1));
                    break;
                case 5 when receipts.Count > 0:
                    receipts.Remove(receipts.Keys.ElementAt(random.Next(receipts.Count)));
                    break;
                case 6 when receipts.Count > 0:
                    receipts[receipts.Keys.ElementAt(random.Next(receipts.Count))] = new SellOutReceipt(new ReportDigest(0, (ulong)step), null);
                    break;
                case 7:
                    var sku = $"P{random.Next(40)}";
                    skus[sku] = new SkuFigures(sku, step, step, 0, 0m, 1);
                    break;
                case 8 when skus.Count > 0:
                    skus.Remove(skus.Keys.ElementAt(random.Next(skus.Count)));
                    break;
            }
            // Written once or twice (the second from the bytes kept), or not at all before the next change.
            for (var write = random.Next(3); write > 0; write--)
            {
                Assert.Equal(Serializer.SerializeToArray(new PackedList<OrderRef>(orders)), Serializer.SerializeToArray(orders));
                Assert.Equal(Serializer.SerializeToArray(new PackedDictionary<SellOutReceipt>(receipts)), Serializer.SerializeToArray(receipts));
                Assert.Equal(Serializer.SerializeToArray(new PackedDictionary<SkuFigures>(skus)), Serializer.SerializeToArray(skus));
            }
        }
        Assert.Equal(orders, Serializer.Deserialize<PackedList<OrderRef>>(Serializer.SerializeToArray(orders)));
        Assert.Equal(receipts.Keys, Serializer.Deserialize<PackedDictionary<SellOutReceipt>>(Serializer.SerializeToArray(receipts))!.Keys);
        Assert.True(used > 400);
    }

    [Fact]
    public void A_state_stored_as_json_by_an_early_version_reads_the_same()
    {
        var before = new DealerStateBeforePacking
        {
            Version = 4,
            OpenOrders = new() { ["O2"] = new OpenOrder(20m, "2026-11", true, At, false, [new("P1", 2, 10m, null)]) },
            Inventory = new() { ["P1"] = new StockLevel("P1", 5, 2) },
            Orders = [new OrderRef("O1", At)],
            Months = new() { ["2026-11"] = new DealerMonthBeforePacking { Region = "CN/East", Skus = new() { ["P1"] = new DealerSkuMonth(2, 20m, 1, 15m, 5) }, WeeklySellOut = new() { ["P1|2026-W47"] = 1 } } },
        };
        var options = new SystemTextJsonGrainStorageSerializerOptions();
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(before, options.JsonSerializerOptions);
        var serializer = new ChannelGrains.Silo.Storage.ChannelStateSerializer(Serializer, Microsoft.Extensions.Options.Options.Create(options));

        var state = serializer.Deserialize<DealerState>(new BinaryData(json))!;
        state.FoldEarlierVersions();

        Assert.Equal((4L, "O1", 5), (state.Version, state.Orders[0].Id, state.Inventory["P1"].OnHand));
        Assert.Equal(20m, state.OpenOrders["O2"].Amount);
        Assert.Equal(new SkuFigures("P1", 2, 20m, 1, 15m, 5), state.Months["2026-11"].Skus["P1"]);
        Assert.Equal(new WeeklySellOut("P1", "2026-W47", 1), state.Months["2026-11"].Weeks["P1|2026-W47"]);
    }

    [Fact]
    public void A_state_written_before_the_collections_were_packed_reads_the_same()
    {
        var zero = new DealerSkuMonth(0, 0m, 0, 0m, 0); // one instance under several keys: the old format wrote it once and referred to it
        var before = new DealerStateBeforePacking
        {
            Version = 12,
            OpenOrders = new() { ["O2"] = new OpenOrder(20m, "2026-11", true, At, false, [new("P1", 2, 10m, null)]) },
            Inventory = new() { ["P1"] = new StockLevel("P1", 5, 2) },
            Orders = [new OrderRef("O1", At), new OrderRef("O2", At.AddHours(1))],
            Months = new()
            {
                ["2026-11"] = new DealerMonthBeforePacking
                {
                    Region = "CN/East",
                    Skus = new() { ["P1"] = zero, ["P2"] = new DealerSkuMonth(3, 4.5m, 1, 2m, 7), ["P3"] = zero },
                    WeeklySellOut = new() { ["P2|2026-W47"] = 1 },
                },
            },
            ReceiptsByMonth = new() { ["2026-11"] = new() { ["S1"] = new SellOutReceipt(new ReportDigest(1, 2), null) } },
        };

        var state = Serializer.Deserialize<DealerState>(Serializer.SerializeToArray(before))!;
        state.FoldEarlierVersions(); // as the dealer does on activation

        Assert.Equal(12, state.Version);
        Assert.Equal(new StockLevel("P1", 5, 2), state.Inventory["P1"]);
        Assert.Equal(("2026-11", 20m, "P1"), (state.OpenOrders["O2"].Month, state.OpenOrders["O2"].Amount, state.OpenOrders["O2"].Lines[0].Sku));
        Assert.Equal(before.Orders, state.Orders);
        var month = state.Months["2026-11"];
        Assert.Equal(("CN/East", new WeeklySellOut("P2", "2026-W47", 1)), (month.Region, month.Weeks["P2|2026-W47"]));
        Assert.Equal([new SkuFigures("P1", 0, 0m, 0, 0m, 0), new SkuFigures("P2", 3, 4.5m, 1, 2m, 7), new SkuFigures("P3", 0, 0m, 0, 0m, 0)], month.Skus.Values.OrderBy(s => s.Sku));
        Assert.Null(month.LegacySkus);
        Assert.Equal(new ReportDigest(1, 2), state.ReceiptsByMonth!["2026-11"]["S1"].Digest);
        // Written again, it is packed, and reads the same.
        Assert.Equal(before.Orders, RoundTrip(state).Orders);
    }

    [Fact]
    public void Figures_stored_while_counts_were_32_bits_read_the_same_as_64()
    {
        var before = new ChannelFiguresBefore64Bits { OrderCount = 3, OrderValue = 4.5m, ChannelStockUnits = int.MaxValue, CrossRegionAlerts = 2 };
        var sku = new SkuFiguresBefore64Bits("P1", 7, 70m, 5, 50m, int.MaxValue);

        var figures = Serializer.Deserialize<ChannelFigures>(Serializer.SerializeToArray(before));
        var skuFigures = Serializer.Deserialize<SkuFigures>(Serializer.SerializeToArray(sku));

        Assert.Equal(new ChannelFigures { OrderCount = 3, OrderValue = 4.5m, ChannelStockUnits = int.MaxValue, CrossRegionAlerts = 2 }, figures);
        Assert.Equal(new SkuFigures("P1", 7, 70m, 5, 50m, int.MaxValue), skuFigures);
    }

    [Fact]
    public void A_packed_run_of_another_format_version_or_cut_short_is_refused()
    {
        var state = new DealerState { Orders = [new OrderRef("ONLY-ORDER", At)] };
        var bytes = Serializer.SerializeToArray(state);
        var run = IndexOf(bytes, [PackedFormat.Version, 1, (byte)"ONLY-ORDER".Length, (byte)'O', (byte)'N']);

        var otherVersion = (byte[])bytes.Clone();
        otherVersion[run] = PackedFormat.Version + 1;
        Assert.Contains("format version", Assert.ThrowsAny<SerializerException>(() => Serializer.Deserialize<DealerState>(otherVersion)).Message);

        var cut = (byte[])bytes.Clone();
        cut[run + 2] = 200; // the id claims more bytes than its run holds
        Assert.ThrowsAny<SerializerException>(() => Serializer.Deserialize<DealerState>(cut));
    }

    [Fact]
    public void A_packed_reader_refuses_impossible_values()
    {
        Assert.Throws<SerializerException>(() => new PackedReader([0x80, 0x80]).VarUInt());
        Assert.Throws<SerializerException>(() => new PackedReader([2]).Bool());
        Assert.Throws<SerializerException>(() => new PackedReader([29, 1, 0]).Decimal()); // scale 29
        Assert.Throws<SerializerException>(() => new PackedReader([0, 1, 0x80, 0x80, 0x80, 0x80, 0x20]).Decimal()); // high word past 32 bits
        Assert.Throws<SerializerException>(() => new PackedReader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2]).Count()); // 2^32 - 1 entries in 2 bytes
        Assert.Throws<SerializerException>(() => new PackedReader([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]).VarUInt()); // past 64 bits
        Assert.Throws<SerializerException>(() => new PackedReader([0xFE, 0xFF, 0xFF, 0xFF, 0x1F]).Int32()); // past 32 bits
        Assert.Throws<SerializerException>(() => new PackedReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]).DateTime());
    }

    [Fact]
    public void A_copy_has_its_own_collections_with_the_same_entries()
    {
        var state = Dealer(orders: 20, receipts: 20);

        var copy = services.GetRequiredService<DeepCopier>().Copy(state);

        Assert.NotSame(state.Orders, copy.Orders);
        Assert.Equal(state.Orders, copy.Orders);
        copy.Orders.Add(new OrderRef("only in the copy", At));
        Assert.Equal(20, state.Orders.Count);
        Assert.Equal(Receipts(state), Receipts(copy));
    }

    /// <summary>A small dealer state with an entry in every packed collection, and keys of both kinds.</summary>
    private static DealerState SmallDealer()
    {
        var state = new DealerState { Version = 9 };
        state.Orders.Add(new OrderRef("O1", At));
        state.Inventory["P1"] = new StockLevel("P1", 5, 2);
        state.Inventory["P-二"] = new StockLevel("P-二", 0, 1);
        state.OpenOrders["O1"] = new OpenOrder(20m, "2026-11", true, At, false, [new("P1", 2, 10m, null)]);
        var month = DealerLedger.Month(state, "2026-11");
        month.Skus["P1"] = new SkuFigures("P1", 2, 20m, 1, 15m, 5);
        month.Skus["P-二"] = SkuFigures.Empty("P-二", 1);
        month.Weeks[WeeklySellOut.KeyOf("P1", "2026-W47")] = new WeeklySellOut("P1", "2026-W47", 1);
        month.Weeks[WeeklySellOut.KeyOf("P-二", "2027-W01")] = new WeeklySellOut("P-二", "2027-W01", 3);
        DealerReceipts.Add(state, "2026-11", "S1", new SellOutReceipt(new ReportDigest(1, 2), null));
        return state;
    }


    [Fact]
    public void Keys_an_entry_names_and_weeks_are_not_written_as_text_and_any_other_key_or_week_reads_back_as_held()
    {
        var state = SmallDealer();
        var month = state.Months["2026-11"];
        month.Skus["not-its-sku"] = new SkuFigures("P9", 1, 1m, 0, 0m, 0);
        month.Weeks["P9|2026-W46"] = new WeeklySellOut("P9", "2026-W45", 2); // under another week's key
        month.Weeks["P9|week 5"] = new WeeklySellOut("P9", "week 5", 4); // not an ISO week's name
        month.Weeks["P8|2026-W44"] = new WeeklySellOut("P9", "2026-W44", 5); // another SKU's key of the same length
        month.Weeks["P9/2026-W43"] = new WeeklySellOut("P9", "2026-W43", 6); // another separator
        month.Weeks["A|B|2026-W42"] = new WeeklySellOut("A|B", "2026-W42", 7); // its own key, a SKU holding the separator
        month.Weeks["A|B|2026-W41"] = new WeeklySellOut("A", "B|2026-W41", 8); // the same key text, split elsewhere
        month.Weeks["|2026-W40"] = new WeeklySellOut("", "2026-W40", 9);
        month.Weeks["2999-W52|2026-W39"] = new WeeklySellOut("2999-W52", "2026-W39", 10);
        state.Inventory["P8"] = new StockLevel("P7", 1, 0);

        var bytes = Serializer.SerializeToArray(state);
        var back = Serializer.Deserialize<DealerState>(bytes)!;

        Assert.Equal(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes("2026-W47")));
        Assert.Equal(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes("P1|")));
        Assert.True(Serializer.SerializeToArray(SmallDealer()).Length < Convert.FromBase64String(SmallDealerInFormat1).Length);
        Assert.Equal(month.Skus.OrderBy(s => s.Key), back.Months["2026-11"].Skus.OrderBy(s => s.Key));
        Assert.Equal(month.Weeks.OrderBy(s => s.Key), back.Months["2026-11"].Weeks.OrderBy(s => s.Key));
        Assert.Equal(state.Inventory.OrderBy(s => s.Key), back.Inventory.OrderBy(s => s.Key));
        Assert.Same(back.Inventory["P1"].Sku, back.Inventory.Keys.First(k => k == "P1")); // the key is the entry's own string
    }

    [Fact]
    public void A_week_is_packed_as_a_number_that_names_it_and_nothing_else()
    {
        foreach (var year in new[] { 2000, 2020, 2026, 2099 })
            for (var week = 1; week <= System.Globalization.ISOWeek.GetWeeksInYear(year); week++)
            {
                var name = $"{year:D4}-W{week:D2}";
                Assert.Equal(name, IsoWeeks.FromCode(IsoWeeks.Code(name)));
            }
        Assert.Equal(202653u, IsoWeeks.Code("2026-W53")); // 2026 has 53 weeks, 2027 52
        Assert.Equal(0u, IsoWeeks.Code("2027-W53"));
        Assert.Equal(0u, IsoWeeks.Code("1999-W52")); // outside the years a period may name: written as text
        Assert.Equal("1999-W52", IsoWeeks.FromCode(199952)); // but any four-digit year reads
        Assert.Equal("9999-W52", IsoWeeks.FromCode(999952));
        Assert.Null(IsoWeeks.FromCode(1000001));
        Assert.Equal(0u, IsoWeeks.Code("2026-w48"));
        Assert.Equal(0u, IsoWeeks.Code("2026-W048"));
        Assert.Null(IsoWeeks.FromCode(202753));
        Assert.Null(IsoWeeks.FromCode(202600));
        Assert.Null(IsoWeeks.FromCode(ulong.MaxValue));
        Assert.Contains("names no ISO week", Assert.Throws<SerializerException>(() => UnpackWeek("P1", 202753)).Message);
        Assert.Equal(new WeeklySellOut("P1", "2026-W48", 1), UnpackWeek("P1", 202648));
    }

    private static WeeklySellOut UnpackWeek(string sku, uint code)
    {
        var packed = new PackedWriter(16);
        try
        {
            packed.String(sku);
            packed.VarUInt(code);
            packed.VarInt(1);
            var reader = new PackedReader(packed.Written.ToArray());
            return WeeklySellOut.Unpack(ref reader);
        }
        finally
        {
            packed.Dispose();
        }
    }

    /// <summary><see cref="SmallDealer"/> as packed format 1 wrote it (every dictionary key written, weeks as text).</summary>
    private const string SmallDealerInFormat1 =
        "IMABQUcBAQJPMQAUAAcyMDI2LTExAQCEj+GDU99IAAECUDEEAAoAAEExAQICUDECUDEKBAVQLeS6jAVQLeS6jAACASVBGwEBAk8xAISP4YNT30jBASEwATEs1C4dU3RyaW5nQ29tcGFyZXIAAwEB4AEDQQ8yMDI2LTExIAABQSEAAAAAAAAAAAAAAAAAAAAAQSEAAAAAAAAAAAAAAAAAAAAAAQEBAcEBwQFBAQkDAUFNAQICUDECUDEEABQAAgAPAAoFUC3kuowFUC3kuowAAAAAAAAAAAJBdQECC1AxfDIwMjYtVzQ3AlAxCDIwMjYtVzQ3Ag5QLeS6jHwyMDI3LVcwMQVQLeS6jAgyMDI3LVcwMQbg4MEBwgHBAcEBwQEBAcEBITgDAAMBAeABA8EbQC0BAQJTMQEAAAAAAAAAAgAAAAAAAAAA4MEB4A==";

    [Fact]
    public void A_state_written_in_packed_format_1_reads_the_same()
    {
        var expected = SmallDealer();

        var state = Serializer.Deserialize<DealerState>(Convert.FromBase64String(SmallDealerInFormat1))!;

        AssertSameSmallDealer(expected, state);
        AssertSameSmallDealer(expected, RoundTrip(state)); // and written again in this version's format
    }

    private static void AssertSameSmallDealer(DealerState expected, DealerState state)
    {
        Assert.Equal(expected.Version, state.Version);
        Assert.Equal(expected.Orders, state.Orders);
        Assert.Equal(expected.Inventory.OrderBy(s => s.Key), state.Inventory.OrderBy(s => s.Key));
        Assert.Equal(OpenOrders(expected), OpenOrders(state));
        Assert.Equal(expected.Months["2026-11"].Skus.OrderBy(s => s.Key), state.Months["2026-11"].Skus.OrderBy(s => s.Key));
        Assert.Equal(expected.Months["2026-11"].Weeks.OrderBy(s => s.Key), state.Months["2026-11"].Weeks.OrderBy(s => s.Key));
        Assert.Equal(Receipts(expected), Receipts(state));
    }

    /// <summary>The bytes the state's order list keeps after a write of the whole state.</summary>
    private PackedFormat.Bytes RoundTripBytesOf(DealerState state)
    {
        Serializer.SerializeToArray(state);
        return state.Orders.Kept.Current!;
    }

    private DealerState RoundTrip(DealerState state) => Serializer.Deserialize<DealerState>(Serializer.SerializeToArray(state))!;

    private static DealerState Dealer(int orders, int receipts)
    {
        var state = new DealerState { Version = 3 };
        for (var i = 0; i < orders; i++) state.Orders.Add(new OrderRef($"O{i:000000}-{i * 7919:x8}", At.AddMinutes(i)));
        for (var i = 0; i < 20; i++) state.Inventory[$"SKU{i:00000}"] = new StockLevel($"SKU{i:00000}", i * 7, -i);
        for (var i = 0; i < 5; i++)
            state.OpenOrders[$"O{i}"] = new OpenOrder(i * 12.5m, "2026-12", i % 2 == 0, At.AddHours(i), i == 3,
                [new("SKU00001", i + 1, 12.5m, null), new("SKU00002", 1, 0.0001m, i == 1 ? "PROMO-优惠" : null)]);
        var month = DealerLedger.Month(state, "2026-12");
        for (var i = 0; i < 25; i++) month.Skus[$"SKU{i:00000}"] = new SkuFigures($"SKU{i:00000}", i, i * 10.5m, -i, i * 0.01m, i * 3);
        for (var i = 0; i < receipts; i++)
        {
            CrossRegionAlert[]? alerts = i == 3
                ? [new("D1", "CN/East", "ST9", "CN/West", "SKU00001", 4, At, "S3"), new("D1", "CN/East", "ST8", "CN/北", "SKU00002", -1, At, "S3")]
                : null;
            DealerReceipts.Add(state, i % 2 == 0 ? "2026-12" : "2026-11", $"S{i}", new SellOutReceipt(new ReportDigest((ulong)i * 0x9E3779B97F4A7C15, ulong.MaxValue - (ulong)i), alerts));
        }
        return state;
    }

    /// <summary>Every receipt as (month, requestId, digest, alerts), sorted: records compare their alert lists by reference.</summary>
    private static string[] Receipts(DealerState state) =>
        [.. (state.ReceiptsByMonth ?? []).SelectMany(m => m.Value.Select(r =>
            $"{m.Key} {r.Key} {r.Value.Digest} {string.Join(";", r.Value.Alerts ?? [])}")).Order(StringComparer.Ordinal)];

    /// <summary>Open orders as text, sorted: records compare their line lists by reference.</summary>
    private static string[] OpenOrders(DealerState state) =>
        [.. state.OpenOrders.Select(o => $"{o.Key} {o.Value with { Lines = [] }} {string.Join(";", o.Value.Lines)}").Order(StringComparer.Ordinal)];

    private static int IndexOf(byte[] bytes, byte[] pattern)
    {
        var at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0, "the packed run was not found");
        return at;
    }
}

/// <summary>The fields of <see cref="DealerState"/> whose types changed to packed collections, as they were before.</summary>
[GenerateSerializer, Alias("ChannelGrains.Tests.Storage.DealerStateBeforePacking")]
public sealed class DealerStateBeforePacking
{
    [Id(1)] public Dictionary<string, OpenOrder> OpenOrders { get; set; } = [];
    [Id(2)] public Dictionary<string, StockLevel> Inventory { get; set; } = [];
    [Id(3)] public long Version { get; set; }
    [Id(4)] public List<OrderRef> Orders { get; set; } = [];
    [Id(6)] public Dictionary<string, DealerMonthBeforePacking> Months { get; set; } = [];
    [Id(15)] public Dictionary<string, Dictionary<string, SellOutReceipt>>? ReceiptsByMonth { get; set; }
}

[GenerateSerializer, Alias("ChannelGrains.Tests.Storage.DealerMonthBeforePacking")]
public sealed class DealerMonthBeforePacking
{
    [Id(5)] public Dictionary<string, DealerSkuMonth> Skus { get; set; } = [];
    [Id(6)] public Dictionary<string, int> WeeklySellOut { get; set; } = [];
    [Id(7)] public string Region { get; set; } = "";
}

/// <summary>The counts of <see cref="ChannelFigures"/> (a record, as it was) as they were stored while they were 32-bit.</summary>
[GenerateSerializer, Alias("ChannelGrains.Tests.Storage.ChannelFiguresBefore64Bits")]
public sealed record class ChannelFiguresBefore64Bits
{
    [Id(0)] public int OrderCount { get; init; }
    [Id(1)] public decimal OrderValue { get; init; }
    [Id(3)] public int ChannelStockUnits { get; init; }
    [Id(12)] public int CrossRegionAlerts { get; init; }
}

/// <summary><see cref="SkuFigures"/> as it was stored while its units were 32-bit.</summary>
[GenerateSerializer, Alias("ChannelGrains.Tests.Storage.SkuFiguresBefore64Bits")]
public sealed record class SkuFiguresBefore64Bits(
    [property: Id(0)] string Sku,
    [property: Id(1)] int OrderUnits,
    [property: Id(2)] decimal OrderValue,
    [property: Id(3)] int SellOutUnits,
    [property: Id(4)] decimal SellOutValue,
    [property: Id(5)] int StockUnits);

/// <summary>An entry that counts how many times entries of its kind were packed.</summary>
public sealed record CountedEntry(int Value) : IPackable<CountedEntry>
{
    public static int Packed;

    public void PackInto(ref PackedWriter writer)
    {
        Packed++;
        writer.VarInt(Value);
    }

    public static CountedEntry Unpack(ref PackedReader reader) => new(reader.Int32());
}
