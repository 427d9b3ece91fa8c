using Microsoft.Extensions.Logging;

namespace ChannelGrains.Partners;

/// <summary>
/// What a dealer remembers of each sell-out report it applied, so that a retry (same requestId) is applied once and
/// answered as the first time (rule 7), and a requestId used again for another report is refused.
/// </summary>
/// <remarks>
/// <para>The dealer's state holds the receipts of its latest reports, at most <see cref="ArchiveAt"/>; the next report
/// first moves them, by the month of their report's date, into one archive grain per month (merged with what it
/// already holds), and the dealer keeps a Bloom filter of the requestIds of each archived month. Before, every
/// receipt the dealer ever had stayed in its state, so every write of the dealer (each order, shipment, receipt,
/// sell-out and quota) serialised its whole sell-out history again: a dealer reporting every hour added 8,760 receipts
/// (about 300 KB) a year to each write. The filters still grow with history, at about 1.9 bytes a report (16 KB a year
/// for that dealer); bounding them too would take a retention limit on rule 7.</para>
/// <para>A report not held in the state is looked up in each archive whose filter may hold its requestId, so an id used
/// again under any month is found. A filter answers "maybe" for about 0.1 % of the ids it does not hold, so a new
/// report reads one archive needlessly about once per thousand reports per archived month (2 % of new reports after
/// two years).</para>
/// </remarks>
public static class DealerReceipts
{
    /// <summary>How many receipts the state holds at most: the next report archives them first.</summary>
    public const int ArchiveAt = 256;

    /// <summary>The archive holding the receipts of earlier versions, which carry no month.</summary>
    public const string Legacy = "legacy";

    /// <summary>The archive grain's key: the dealer's key, then <c>/receipts/YYYY-MM</c> or <c>/receipts/legacy</c> (ids never contain '/').</summary>
    public static string ArchiveKey(string dealerKey, string month) => $"{dealerKey}/receipts/{month}";

    /// <summary>The receipt of <paramref name="requestId"/> among the months in the state, whatever their month.</summary>
    public static SellOutReceipt? Held(DealerState state, string requestId)
    {
        foreach (var receipts in (state.ReceiptsByMonth ?? []).Values)
            if (receipts.TryGetValue(requestId, out var receipt)) return receipt;
        return null;
    }

    /// <summary>The archives that may hold <paramref name="requestId"/>, by their filters.</summary>
    public static IEnumerable<string> MayHold(DealerState state, string requestId)
    {
        if (state.ReceiptFilters is not { } filters) yield break;
        var hash = ReceiptFilter.Hash(requestId);
        foreach (var (month, filter) in filters)
            if (ReceiptFilter.MayContain(filter, hash)) yield return month;
    }

    public static void Add(DealerState state, string month, string requestId, SellOutReceipt receipt)
    {
        state.ReceiptsByMonth ??= new(StringComparer.Ordinal);
        if (!state.ReceiptsByMonth.TryGetValue(month, out var receipts)) state.ReceiptsByMonth[month] = receipts = [];
        receipts[requestId] = receipt;
    }

    /// <summary>The months of the receipts in the state, once it holds <see cref="ArchiveAt"/> of them; none before.</summary>
    public static string[] ToArchive(DealerState state)
    {
        if (state.ReceiptsByMonth is not { } byMonth) return [];
        var held = 0;
        foreach (var receipts in byMonth.Values) held += receipts.Count;
        return held < ArchiveAt ? [] : [.. byMonth.Keys];
    }

    /// <summary>Drops an archived month's receipts from the state and keeps the filter of everything its archive holds.</summary>
    public static void MarkArchived(DealerState state, string month, byte[] filter)
    {
        if (month == Legacy)
        {
            state.SellOutReceipts = null;
            state.Alerts = null;
        }
        else
        {
            state.ReceiptsByMonth?.Remove(month);
            if (state.ReceiptsByMonth is { Count: 0 }) state.ReceiptsByMonth = null;
        }
        (state.ReceiptFilters ??= new(StringComparer.Ordinal))[month] = filter;
    }

    /// <summary>The receipts of earlier versions (a digest each, and the alerts of their requests), to be archived whole.</summary>
    public static PackedDictionary<SellOutReceipt> LegacyReceipts(DealerState state)
    {
        var alerts = (state.Alerts ?? []).ToLookup(a => a.RequestId, StringComparer.Ordinal);
        return new((state.SellOutReceipts ?? []).Select(r =>
            KeyValuePair.Create(r.Key, new SellOutReceipt(r.Value, alerts[r.Key].ToArray() is { Length: > 0 } raised ? raised : null))));
    }

    /// <summary>Whether the dealer ever applied a sell-out report.</summary>
    public static bool Any(DealerState state) =>
        state.SellOutReceipts is { Count: > 0 } || state.ReceiptsByMonth is { Count: > 0 } || state.ReceiptFilters is { Count: > 0 };
}

/// <summary>
/// A Bloom filter of requestIds: 15 bits per id and 10 probes, about 0.1 % false "maybe"s and never a false "no". The
/// hash is FNV-1a over the id's UTF-16 code units, mixed by MurmurHash3's 64-bit finaliser; each probe mixes the hash
/// with its own number again, so that the probes of two ids do not coincide in a small filter. Both are fixed, because
/// filters are stored.
/// </summary>
public static class ReceiptFilter
{
    private const int BitsPerId = 15, Probes = 10;

    public static ulong Hash(string id)
    {
        unchecked
        {
            var hash = 14695981039346656037UL;
            foreach (var unit in id)
            {
                hash ^= unit;
                hash *= 1099511628211UL;
            }
            return Mix(hash);
        }
    }

    public static byte[] Build(IReadOnlyCollection<string> ids)
    {
        var filter = new byte[Math.Max(8, (ids.Count * BitsPerId + 7) / 8)];
        var bits = (ulong)filter.Length * 8;
        foreach (var id in ids)
        {
            var hash = Hash(id);
            for (var i = 0; i < Probes; i++)
            {
                var bit = Probe(hash, i) % bits;
                filter[bit >> 3] |= (byte)(1 << (int)(bit & 7));
            }
        }
        return filter;
    }

    public static bool MayContain(byte[] filter, ulong hash)
    {
        var bits = (ulong)filter.Length * 8;
        for (var i = 0; i < Probes; i++)
        {
            var bit = Probe(hash, i) % bits;
            if ((filter[bit >> 3] & (1 << (int)(bit & 7))) == 0) return false;
        }
        return true;
    }

    private static ulong Probe(ulong hash, int probe) => unchecked(Mix(hash + (ulong)probe * 0x9E3779B97F4A7C15UL));

    private static ulong Mix(ulong hash)
    {
        unchecked
        {
            hash ^= hash >> 33;
            hash *= 0xff51afd7ed558ccdUL;
            hash ^= hash >> 33;
            hash *= 0xc4ceb9fe1a85ec53UL;
            return hash ^ (hash >> 33);
        }
    }
}

/// <summary>A sell-out report applied: its digest, and the 串货 alerts it raised (logged again when it is retried).</summary>
[GenerateSerializer, Immutable, Alias("ChannelGrains.SellOutReceipt")]
public sealed record class SellOutReceipt(
    [property: Id(0)] ReportDigest Digest,
    [property: Id(1)] IReadOnlyList<CrossRegionAlert>? Alerts) : IPackable<SellOutReceipt>
{
    /// <summary>A dealer's receipts change with a sell-out report and are written by every change of the dealer.</summary>
    public static bool KeepPacked => true;

    public void PackInto(ref PackedWriter writer)
    {
        writer.Fixed64(Digest.High);
        writer.Fixed64(Digest.Low);
        writer.VarUInt((uint)(Alerts?.Count ?? 0));
        foreach (var alert in Alerts ?? [])
        {
            writer.String(alert.DealerId);
            writer.String(alert.DealerRegion);
            writer.String(alert.StoreId);
            writer.String(alert.StoreRegion);
            writer.String(alert.Sku);
            writer.VarInt(alert.Quantity);
            writer.DateTime(alert.At);
            writer.String(alert.RequestId);
        }
    }

    public static SellOutReceipt Unpack(ref PackedReader reader)
    {
        var digest = new ReportDigest(reader.Fixed64(), reader.Fixed64());
        var count = reader.Count();
        if (count == 0) return new SellOutReceipt(digest, null);
        var alerts = new List<CrossRegionAlert>(count);
        for (var i = 0; i < count; i++)
            alerts.Add(new CrossRegionAlert(reader.String(), reader.String(), reader.String(), reader.String(), reader.String(), reader.Int32(), reader.DateTime(), reader.String()));
        return new SellOutReceipt(digest, alerts);
    }
}

/// <summary>The receipts of one dealer month moved out of the dealer's state, keyed <see cref="DealerReceipts.ArchiveKey"/>.</summary>
[Alias("ChannelGrains.IDealerReceiptArchiveGrain")]
public interface IDealerReceiptArchiveGrain : IGrainWithStringKey
{
    [Alias("Find")] Task<SellOutReceipt?> FindAsync(string requestId);

    /// <summary>
    /// Adds the receipts (adding them again, after a dealer died before its next write, changes nothing) and returns
    /// the filter of every requestId held.
    /// </summary>
    [Alias("Add")] Task<byte[]> AddAsync(PackedDictionary<SellOutReceipt> receipts);
}

[GenerateSerializer, Alias("ChannelGrains.DealerReceiptArchiveState")]
public sealed class DealerReceiptArchiveState
{
    [Id(0)] public PackedDictionary<SellOutReceipt> Receipts { get; set; } = [];
}

public sealed class DealerReceiptArchiveGrain(
    [PersistentState("receipts", StorageNames.Channel)] IPersistentState<DealerReceiptArchiveState> state,
    ILogger<DealerReceiptArchiveGrain> logger) : Grain, IDealerReceiptArchiveGrain
{
    public Task<SellOutReceipt?> FindAsync(string requestId) => Task.FromResult(state.State.Receipts.GetValueOrDefault(requestId));

    public async Task<byte[]> AddAsync(PackedDictionary<SellOutReceipt> receipts)
    {
        var added = false;
        foreach (var (requestId, receipt) in receipts)
        {
            if (!state.State.Receipts.TryGetValue(requestId, out var held))
            {
                state.State.Receipts[requestId] = receipt;
                added = true;
            }
            // The dealer looks here before it applies a report, so this means a lost write.
            else if (held.Digest != receipt.Digest)
                logger.LogError("Receipt archive {Archive} was given another report under requestId {RequestId}; the first one is kept",
                    this.GetPrimaryKeyString(), requestId);
        }
        if (added) await state.PersistAsync(this);
        return ReceiptFilter.Build(state.State.Receipts.Keys);
    }
}
