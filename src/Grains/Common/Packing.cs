using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Serialization;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Serializers;
using Orleans.Serialization.WireProtocol;

namespace ChannelGrains.Common;

/// <summary>
/// An immutable record that a long collection in grain state holds many of, written as a few packed bytes (see
/// <see cref="PackedList{T}"/>). <see cref="PackInto"/> and <see cref="Unpack"/> write and read the same fields in the
/// same order. A record that changes them raises <see cref="PackedFormat.Version"/>, and its <see cref="Unpack"/>
/// reads the fields of every version up to it (<see cref="PackedReader.Version"/> tells which).
/// </summary>
public interface IPackable<TSelf> where TSelf : IPackable<TSelf>
{
    void PackInto(ref PackedWriter writer);

    static abstract TSelf Unpack(ref PackedReader reader);

    /// <summary>
    /// Whether a collection of these keeps the bytes of every write until it changes (once it holds
    /// <see cref="PackedFormat.KeptFrom"/> entries): for collections written far more often than they change, such as a
    /// dealer's order references (changed by an order, written by every shipment, receipt, sell-out and quota too).
    /// Other collections keep them from their second write without a change (a closed month's SKU and weekly figures).
    /// The bytes are a second copy of the collection for as long as its grain is active.
    /// </summary>
    static virtual bool KeepPacked => false;

    /// <summary>
    /// Whether a dictionary of these holds each entry under a key the entry names itself (<see cref="OwnKey"/>: a SKU's
    /// figures under their SKU). A packed dictionary of them writes one byte instead of each key that is the entry's own.
    /// </summary>
    static virtual bool KeyedByItself => false;

    /// <summary>The key an entry names (see <see cref="KeyedByItself"/>).</summary>
    static virtual string OwnKey(TSelf item) => throw new NotSupportedException($"{typeof(TSelf).Name} names no key of its own.");

    /// <summary>Whether <paramref name="key"/> is the entry's own key; override to tell without building the key.</summary>
    static virtual bool IsOwnKey(string key, TSelf item) => key == TSelf.OwnKey(item);
}

/// <summary>
/// A list in grain state stored as one run of packed bytes rather than one serialized object per entry.
/// </summary>
/// <remarks>
/// Every write of a grain serialises its whole state. The Orleans serializer tracks every object it writes (each record
/// and each string) so that a second reference to one is written as a reference, and past 64 objects that is a hash
/// lookup per object: a dealer with 256 order references and 256 sell-out receipts spent 45 µs a write, 21 % of the
/// in-process mix's CPU. Packing alone took that to 3 µs on a warm cache, but under load the entries of a thousand
/// dealers are not in the cache, and reading them again for every write still cost most of it: so a collection of
/// records that <see cref="IPackable{TSelf}.KeepPacked"/> is written from the bytes of its last write while it has not
/// changed since. Entries must be immutable. States written before a collection was packed, as a plain list or
/// dictionary, are read too (Orleans binary, and System.Text.Json from before that).
/// </remarks>
[JsonConverter(typeof(PackedJsonConverter))]
public sealed class PackedList<T> : IReadOnlyList<T>, IPackedCollection where T : IPackable<T>
{
    private static readonly List<T> None = [];

    /// <summary>Null while empty: most grains of a million never hold an entry, and an empty list is 32 bytes each.</summary>
    private List<T>? items;

    public PackedList()
    {
    }

    public PackedList(IEnumerable<T> items) => this.items = NullIfEmpty([.. items]);

    internal PackedList(List<T> items) => this.items = NullIfEmpty(items);

    /// <summary>The bytes of the last write and the version of the entries they hold (see <see cref="PackedFormat.Kept"/>).</summary>
    internal PackedFormat.Kept Kept;

    private List<T> Items => items ?? None;

    public int Count => Items.Count;

    public T this[int index] => Items[index];

    public void Add(T item)
    {
        (items ??= []).Add(item);
        Kept.Appended();
    }

    public void RemoveRange(int index, int count)
    {
        Items.RemoveRange(index, count);
        Kept.Changed();
    }

    public List<T> GetRange(int index, int count) => Items.GetRange(index, count);

    public List<T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// False when no entry can hold <paramref name="text"/> in a string field it packs as it is (<see cref="PackedWriter.String"/>):
    /// told by one scan of the bytes kept from the last write, which hold every entry's bytes one after another,
    /// instead of a visit to each entry and its strings. True when one may, or when no bytes kept hold every entry:
    /// the caller then looks at the entries.
    /// </summary>
    public bool MayHold(string text)
    {
        if (Kept.Current is not { } kept) return true;
        var length = Encoding.UTF8.GetByteCount(text);
        var rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            var utf8 = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
            Encoding.UTF8.GetBytes(text, utf8);
            return kept.Entries.IndexOf(utf8) >= 0;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static List<T>? NullIfEmpty(List<T> items) => items.Count > 0 ? items : null;
}

/// <summary>A dictionary by ordinal string key in grain state, stored packed like <see cref="PackedList{T}"/>.</summary>
[JsonConverter(typeof(PackedJsonConverter))]
public sealed class PackedDictionary<T> : IReadOnlyDictionary<string, T>, IPackedCollection where T : IPackable<T>
{
    private static readonly Dictionary<string, T> None = new(StringComparer.Ordinal);

    /// <summary>Null while empty, as in <see cref="PackedList{T}"/> (an empty dictionary is 80 bytes).</summary>
    private Dictionary<string, T>? items;

    public PackedDictionary()
    {
    }

    public PackedDictionary(IEnumerable<KeyValuePair<string, T>> items)
    {
        var copy = new Dictionary<string, T>(items, StringComparer.Ordinal);
        this.items = copy.Count > 0 ? copy : null;
    }

    internal PackedDictionary(int capacity) => items = capacity > 0 ? new(capacity, StringComparer.Ordinal) : null;

    /// <inheritdoc cref="PackedList{T}.Kept"/>
    internal PackedFormat.Kept Kept;

    /// <summary>The entries of the last pack of every entry, and a spare for the next one (see <see cref="PackedEntries{T}"/>).</summary>
    internal PackedEntries<T>? LastPacked, SparePacked;

    /// <summary>
    /// Whether an entry was ever removed. Until then the entries enumerate in the order they were added, so a new key
    /// comes last and the bytes kept for the others stay the start of the next write (see <see cref="PackedFormat.Kept"/>);
    /// after it, a new key may take the removed one's place.
    /// </summary>
    private bool removed;

    private Dictionary<string, T> Items => items ?? None;

    public int Count => Items.Count;

    public T this[string key]
    {
        get => Items[key];
        set
        {
            var dictionary = items ??= new(StringComparer.Ordinal);
            var count = dictionary.Count;
            dictionary[key] = value;
            if (dictionary.Count > count && !removed) Kept.Appended();
            else Kept.Changed();
        }
    }

    public Dictionary<string, T>.KeyCollection Keys => Items.Keys;

    public Dictionary<string, T>.ValueCollection Values => Items.Values;

    IEnumerable<string> IReadOnlyDictionary<string, T>.Keys => Keys;

    IEnumerable<T> IReadOnlyDictionary<string, T>.Values => Values;

    public bool ContainsKey(string key) => Items.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T value) => Items.TryGetValue(key, out value);

    public bool Remove(string key) => Remove(key, out _);

    public bool Remove(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T value)
    {
        if (items is null || !items.Remove(key, out value))
        {
            value = default;
            return false;
        }
        removed = true;
        Kept.Changed();
        return true;
    }

    public Dictionary<string, T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<KeyValuePair<string, T>> IEnumerable<KeyValuePair<string, T>>.GetEnumerator() => GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A collection stored as a packed run (<see cref="PackedFormat.WriteField"/>).</summary>
public interface IPackedCollection
{
    int Count { get; }
}

/// <summary>The packed run's layout: a format version byte, the entry count, then the entries.</summary>
public static class PackedFormat
{
    /// <summary>
    /// The format this version writes; it reads every version from 1 up to it. 2: a dictionary of entries
    /// <see cref="IPackable{TSelf}.KeyedByItself"/> writes a byte for each key that is the entry's own instead of the
    /// key, and a week is written as a number.
    /// </summary>
    public const byte Version = 2;

    /// <summary>A collection of records that keep their bytes keeps them from this many entries on: smaller ones cost little to pack.</summary>
    public const int KeptFrom = 16;

    /// <summary>
    /// The bytes of a collection's entries as last written, with the version of its entries then. A change moves the
    /// version on, so bytes packed from entries a change has replaced are never used again: not even those of a write
    /// that finished after the change, on another thread (a grain call's argument is serialized where the message is
    /// sent). The version is moved on with a full fence after the entries changed, and read with acquire before they
    /// are packed, so a thread that sees the new version sees the new entries on any processor.
    /// </summary>
    /// <remarks>
    /// An entry added at the end (<see cref="Appended"/>: a dealer's next order reference, its next sell-out receipt)
    /// leaves the entries before it as they were: the next write packs only the entries added since the bytes were
    /// kept and writes them after those bytes. Any other change (<see cref="Changed"/>) marks every byte kept before it
    /// as unusable. Before, each report packed all of the up to 256 receipts its dealer holds.
    /// </remarks>
    public struct Kept
    {
        private int version;

        /// <summary>The version of the last change that was not an entry added at the end: bytes of an older version are of no use.</summary>
        private int rewritten;

        private Bytes? bytes;

        /// <summary>The version last packed, plus one (0: never packed).</summary>
        private int packed;

        public void Changed()
        {
            // Before the version: a thread that sees the new version sees this too.
            Volatile.Write(ref rewritten, version + 1);
            Interlocked.Increment(ref version);
        }

        /// <summary>An entry was added after all the others (in the order the collection enumerates them).</summary>
        public void Appended() => Interlocked.Increment(ref version);

        /// <summary>The bytes kept if they hold the entries as they are now.</summary>
        internal Bytes? Current => Volatile.Read(ref bytes) is { } kept && kept.Version == Volatile.Read(ref version) ? kept : null;

        internal int At => Volatile.Read(ref version);

        /// <summary>The bytes kept if the entries of version <paramref name="at"/> are theirs and some added after them.</summary>
        internal Bytes? StartOf(int at, int count) =>
            Volatile.Read(ref bytes) is { } kept && kept.Version <= at && kept.Version >= Volatile.Read(ref rewritten) && kept.Count <= count ? kept : null;

        internal void Keep(Bytes value) => Volatile.Write(ref bytes, value);

        /// <summary>Notes that the entries of version <paramref name="at"/> are being packed; whether they were packed before.</summary>
        internal bool PackedBefore(int at)
        {
            var before = packed == at + 1;
            packed = at + 1;
            return before;
        }
    }

    /// <summary>
    /// The packed bytes of a collection's first <see cref="Count"/> entries, as of its version <see cref="Version"/>:
    /// the first <see cref="Length"/> bytes of a buffer that the bytes of later entries may fill on from there. Whoever
    /// claims the rest of the buffer first writes there; a later claim on the same bytes copies them to a buffer of its own.
    /// </summary>
    internal sealed class Bytes
    {
        private readonly Buffer buffer;

        private Bytes(int version, int count, Buffer buffer, int length) => (Version, Count, this.buffer, Length) = (version, count, buffer, length);

        public int Version { get; }

        public int Count { get; }

        public int Length { get; }

        public ReadOnlySpan<byte> Entries => buffer.Data.AsSpan(0, Length);

        public static Bytes Of(int version, int count, ReadOnlySpan<byte> entries)
        {
            var data = new byte[entries.Length];
            entries.CopyTo(data);
            return new(version, count, new Buffer(data, entries.Length), entries.Length);
        }

        /// <summary>These bytes followed by <paramref name="added"/>, the bytes of the entries after the first <see cref="Count"/>.</summary>
        public Bytes Then(int version, int count, ReadOnlySpan<byte> added)
        {
            var length = Length + added.Length;
            if (length <= buffer.Data.Length && Interlocked.CompareExchange(ref buffer.Claimed, length, Length) == Length)
            {
                added.CopyTo(buffer.Data.AsSpan(Length));
                return new(version, count, buffer, length);
            }
            // Room for as many bytes again, so that the next entries are written in place.
            var data = new byte[Math.Max(length + length / 2, 64)];
            Entries.CopyTo(data);
            added.CopyTo(data.AsSpan(Length));
            return new(version, count, new Buffer(data, length), length);
        }

        private sealed class Buffer(byte[] data, int claimed)
        {
            public readonly byte[] Data = data;

            /// <summary>How many bytes are taken: only the bytes that end there may be followed in place.</summary>
            public int Claimed = claimed;
        }
    }

    /// <summary>
    /// Writes the entries as one length-prefixed field (the container itself is tracked like any object), from the bytes
    /// the container kept if they are still current, or from them and the entries added since; keeps the bytes written
    /// when <paramref name="keep"/>, or when the same entries were packed by an earlier write: a collection that stopped
    /// changing (a closed month of a dealer with years of history) is packed twice, not at every write of its grain.
    /// </summary>
    public static void WriteField<TBufferWriter, TContainer>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, TContainer? value,
        ref Kept kept, bool keep, PackEntries<TContainer> pack) where TBufferWriter : IBufferWriter<byte> where TContainer : class, IPackedCollection
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value)) return;
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(TContainer), WireType.LengthPrefixed);
        var at = kept.At;
        // Counted after the version is read: the entries of version `at` are all counted, so bytes kept as of `at`
        // never lack one of them (an entry added meanwhile is counted too, and its bytes then serve as a start only).
        var count = value!.Count;
        if (kept.Current is { } current)
        {
            Write(ref writer, current.Count, current.Entries);
            return;
        }
        var start = kept.StartOf(at, count);
        keep = (kept.PackedBefore(at) || keep || start is not null) && count >= KeptFrom;
        var from = start?.Count ?? 0;
        var packed = new PackedWriter((count - from) * 24 + 8);
        try
        {
            pack(ref packed, value, from, count);
            if (start is not null)
            {
                var whole = start.Then(at, count, packed.Written);
                Write(ref writer, count, whole.Entries);
                kept.Keep(whole);
                return;
            }
            Write(ref writer, count, packed.Written);
            if (keep) kept.Keep(Bytes.Of(at, count, packed.Written));
        }
        finally
        {
            packed.Dispose();
        }
    }

    /// <summary>The run: its length, the format version, the entry count, then the entries.</summary>
    private static void Write<TBufferWriter>(ref Writer<TBufferWriter> writer, int count, ReadOnlySpan<byte> entries) where TBufferWriter : IBufferWriter<byte>
    {
        Span<byte> header = stackalloc byte[11];
        header[0] = Version;
        var length = 1 + PackedWriter.VarUInt(header[1..], (uint)count);
        writer.WriteVarUInt32((uint)(length + entries.Length));
        writer.Write(header[..length]);
        writer.Write(entries);
    }

    /// <summary>
    /// Reads a field written by <see cref="WriteField"/>, or by the plain collection codec before the state held a packed
    /// collection there (<paramref name="legacy"/>: a collection of the same entries, tag-delimited).
    /// </summary>
    public static TContainer? ReadValue<TInput, TContainer, TLegacy>(ref Reader<TInput> reader, Field field, Func<IFieldCodec<TLegacy>> legacy,
        Func<TLegacy, TContainer> fromLegacy, UnpackEntries<TContainer> unpack) where TContainer : class
    {
        if (field.WireType == WireType.Reference) return ReferenceCodec.ReadReference<TContainer, TInput>(ref reader, field);
        if (field.WireType == WireType.TagDelimited) return legacy().ReadValue(ref reader, field) is { } old ? fromLegacy(old) : null;
        field.EnsureWireType(WireType.LengthPrefixed);
        var length = reader.ReadVarUInt32();
        if (length > int.MaxValue) throw new SerializerException($"A packed {typeof(TContainer).Name} of {length} bytes is longer than any written.");
        reader.EnsureAvailable(length);
        var rented = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            var bytes = rented.AsSpan(0, (int)length);
            reader.ReadBytes(bytes);
            var packed = new PackedReader(bytes);
            var version = packed.Byte();
            if (version is 0 or > Version) throw new SerializerException($"A packed {typeof(TContainer).Name} has format version {version}; this version reads 1 to {Version}.");
            packed.Version = version;
            var count = packed.Count();
            var result = unpack(ref packed, count);
            if (!packed.AtEnd) throw new SerializerException($"A packed {typeof(TContainer).Name} has bytes after its {count} entries.");
            ReferenceCodec.RecordObject(reader.Session, result);
            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Packs the entries from index <c>from</c> (in the order the container enumerates them) up to, not including, <c>to</c>.</summary>
    public delegate void PackEntries<in TContainer>(ref PackedWriter writer, TContainer container, int from, int to);

    public delegate TContainer UnpackEntries<out TContainer>(ref PackedReader reader, int count);
}

[RegisterSerializer]
public sealed class PackedListCodec<T>(ICodecProvider codecs) : IFieldCodec<PackedList<T>> where T : IPackable<T>
{
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, PackedList<T>? value)
        where TBufferWriter : IBufferWriter<byte>
    {
        var none = default(PackedFormat.Kept);
        ref var kept = ref value is null ? ref none : ref value.Kept;
        PackedFormat.WriteField(ref writer, fieldIdDelta, expectedType, value, ref kept, T.KeepPacked,
            static (ref PackedWriter packed, PackedList<T> list, int from, int to) =>
            {
                for (var i = from; i < to; i++) list[i].PackInto(ref packed);
            });
    }

    public PackedList<T>? ReadValue<TInput>(ref Reader<TInput> reader, Field field) =>
        PackedFormat.ReadValue(ref reader, field, codecs.GetCodec<List<T>>, static legacy => new PackedList<T>(legacy), static (ref PackedReader packed, int count) =>
        {
            var items = new List<T>(count);
            for (var i = 0; i < count; i++) items.Add(T.Unpack(ref packed));
            return new PackedList<T>(items);
        });
}

[RegisterSerializer]
public sealed class PackedDictionaryCodec<T>(ICodecProvider codecs) : IFieldCodec<PackedDictionary<T>> where T : IPackable<T>
{
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, PackedDictionary<T>? value)
        where TBufferWriter : IBufferWriter<byte>
    {
        var none = default(PackedFormat.Kept);
        ref var kept = ref value is null ? ref none : ref value.Kept;
        PackedFormat.WriteField(ref writer, fieldIdDelta, expectedType, value, ref kept, T.KeepPacked,
            static (ref PackedWriter packed, PackedDictionary<T> dictionary, int from, int to) =>
            {
                // Entries told by reference: a value-type entry would be boxed for the comparison and never found the same.
                if (from == 0 && to >= PackedFormat.KeptFrom && !typeof(T).IsValueType)
                {
                    PackReusing(ref packed, dictionary, to);
                    return;
                }
                var index = 0;
                foreach (var (key, item) in dictionary)
                {
                    if (index++ < from) continue;
                    if (index > to) break;
                    PackEntry(ref packed, key, item);
                }
            });
    }

    private static void PackEntry(ref PackedWriter packed, string key, T item)
    {
        var own = T.KeyedByItself && T.IsOwnKey(key, item);
        if (T.KeyedByItself) packed.Bool(own);
        if (!own) packed.String(key);
        item.PackInto(ref packed);
    }

    /// <summary>
    /// Packs the first <paramref name="to"/> entries, copying the bytes of each one the last pack of this dictionary
    /// held at the same place under the same key: the same key and record pack to the same bytes (entries are
    /// immutable). Told by reference, so the records themselves are not read: a dealer's stock or month changes a few
    /// of its SKUs at a write, and reading the twenty or so others again, out of the cache under load, was most of the
    /// cost of packing them. Each pack takes the last one's entries and its spare for itself, so a pack running on
    /// another thread meanwhile (an argument serialized where its message is sent) finds none and packs every entry.
    /// </summary>
    private static void PackReusing(ref PackedWriter packed, PackedDictionary<T> dictionary, int to)
    {
        var last = Interlocked.Exchange(ref dictionary.LastPacked, null);
        var next = Interlocked.Exchange(ref dictionary.SparePacked, null) ?? new PackedEntries<T>();
        next.Start(to);
        var start = packed.Written.Length;
        var (runFrom, runLength) = (0, 0); // bytes of `last` to copy, not copied yet
        var index = 0;
        foreach (var (key, item) in dictionary)
        {
            if (index == to) break;
            if (last is not null && last.Holds(index, key, item))
            {
                // Entries held at the same places follow each other in both, so their bytes are copied in one run.
                if (runLength == 0) runFrom = last.StartOf(index);
                runLength = last.Ends[index] - runFrom;
            }
            else
            {
                if (runLength > 0) Flush(ref packed, last!, runFrom, ref runLength);
                PackEntry(ref packed, key, item);
            }
            next.Add(key, item, packed.Written.Length + runLength - start);
            index++;
        }
        if (runLength > 0) Flush(ref packed, last!, runFrom, ref runLength);
        next.Keep(packed.Written[start..]);
        Volatile.Write(ref dictionary.LastPacked, next);
        if (last is null) return;
        last.Forget();
        Volatile.Write(ref dictionary.SparePacked, last);
    }

    private static void Flush(ref PackedWriter packed, PackedEntries<T> last, int runFrom, ref int runLength)
    {
        packed.Bytes(last.Bytes.AsSpan(runFrom, runLength));
        runLength = 0;
    }

    public PackedDictionary<T>? ReadValue<TInput>(ref Reader<TInput> reader, Field field) =>
        PackedFormat.ReadValue(ref reader, field, codecs.GetCodec<Dictionary<string, T>>, static legacy => new PackedDictionary<T>(legacy), static (ref PackedReader packed, int count) =>
        {
            var dictionary = new PackedDictionary<T>(count);
            var ownKeys = T.KeyedByItself && packed.Version >= 2;
            for (var i = 0; i < count; i++)
            {
                var key = ownKeys && packed.Bool() ? null : packed.String();
                var item = T.Unpack(ref packed);
                dictionary[key ?? T.OwnKey(item)] = item;
            }
            return dictionary;
        });
}

/// <summary>
/// The keys and entries a <see cref="PackedDictionary{T}"/> packed last, in the order packed, with the end of each one's
/// bytes in <see cref="Bytes"/> (see <c>PackedDictionaryCodec.PackReusing</c>). Owned by one pack at a time.
/// </summary>
internal sealed class PackedEntries<T>
{
    /// <summary>
    /// In structs: storing a reference in an array of references checks its type against the array's, which reads the
    /// object (out of the cache, for most entries); an array of structs takes any store as it is.
    /// </summary>
    private Held[] held = [];

    public int[] Ends { get; private set; } = [];

    public byte[] Bytes { get; private set; } = [];

    public int Count { get; private set; }

    public bool Holds(int index, string key, T item) =>
        index < Count && ReferenceEquals(held[index].Key, key) && ReferenceEquals(held[index].Item, item);

    public int StartOf(int index) => index == 0 ? 0 : Ends[index - 1];

    /// <summary>Empties this for a pack of up to <paramref name="count"/> entries.</summary>
    public void Start(int count)
    {
        Count = 0;
        if (held.Length >= count) return;
        var capacity = Math.Max(count, held.Length * 2);
        (held, Ends) = (new Held[capacity], new int[capacity]);
    }

    public void Add(string key, T item, int end)
    {
        held[Count] = new Held(key, item);
        Ends[Count++] = end;
    }

    public void Keep(ReadOnlySpan<byte> bytes)
    {
        if (Bytes.Length < bytes.Length) Bytes = new byte[bytes.Length + bytes.Length / 4];
        bytes.CopyTo(Bytes);
    }

    /// <summary>Lets go of the entries (replaced ones may die young) while the arrays are kept for the next pack.</summary>
    public void Forget()
    {
        Array.Clear(held, 0, Count);
        Count = 0;
    }

    private readonly record struct Held(string Key, object? Item);
}

/// <summary>Copies the list; its entries are immutable and shared.</summary>
[RegisterCopier]
public sealed class PackedListCopier<T> : IDeepCopier<PackedList<T>> where T : IPackable<T>
{
    public PackedList<T>? DeepCopy(PackedList<T>? input, CopyContext context)
    {
        if (input is null) return null;
        if (context.TryGetCopy<PackedList<T>>(input, out var copy)) return copy!;
        copy = new PackedList<T>(input);
        context.RecordCopy(input, copy);
        return copy;
    }
}

/// <summary>Copies the dictionary; its entries are immutable and shared.</summary>
[RegisterCopier]
public sealed class PackedDictionaryCopier<T> : IDeepCopier<PackedDictionary<T>> where T : IPackable<T>
{
    public PackedDictionary<T>? DeepCopy(PackedDictionary<T>? input, CopyContext context)
    {
        if (input is null) return null;
        if (context.TryGetCopy<PackedDictionary<T>>(input, out var copy)) return copy!;
        copy = new PackedDictionary<T>(input);
        context.RecordCopy(input, copy);
        return copy;
    }
}

/// <summary>
/// Packed collections as System.Text.Json reads and writes them: a list as an array, a dictionary as an object, as the
/// plain collections were, so that states stored as JSON before the binary format are still read.
/// </summary>
public sealed class PackedJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() is var definition
        && (definition == typeof(PackedList<>) || definition == typeof(PackedDictionary<>));

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var entry = typeToConvert.GetGenericArguments()[0];
        var converter = typeToConvert.GetGenericTypeDefinition() == typeof(PackedList<>) ? typeof(ListConverter<>) : typeof(DictionaryConverter<>);
        return (JsonConverter)Activator.CreateInstance(converter.MakeGenericType(entry))!;
    }

    private sealed class ListConverter<T> : JsonConverter<PackedList<T>> where T : IPackable<T>
    {
        public override PackedList<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<List<T>>(ref reader, options) is { } items ? new PackedList<T>(items) : null;

        public override void Write(Utf8JsonWriter writer, PackedList<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToList(), options);
    }

    private sealed class DictionaryConverter<T> : JsonConverter<PackedDictionary<T>> where T : IPackable<T>
    {
        public override PackedDictionary<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<Dictionary<string, T>>(ref reader, options) is { } items ? new PackedDictionary<T>(items) : null;

        public override void Write(Utf8JsonWriter writer, PackedDictionary<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal), options);
    }
}

/// <summary>Writes packed fields into a pooled buffer: unsigned varints, zigzag varints for signed numbers, UTF-8 strings.</summary>
public ref struct PackedWriter
{
    private byte[] buffer;
    private int position;

    public PackedWriter(int sizeHint) => buffer = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, 64));

    public readonly ReadOnlySpan<byte> Written => buffer.AsSpan(0, position);

    public void Byte(byte value) => Reserve(1)[0] = value;

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void VarUInt(ulong value)
    {
        var length = VarUInt(Reserve(10), value); // Reserve moves the position on by 10 before it is corrected here
        position -= 10 - length;
    }

    /// <summary>Writes <paramref name="value"/> seven bits a byte, low bits first, at the start of <paramref name="span"/>; its length.</summary>
    public static int VarUInt(Span<byte> span, ulong value)
    {
        var length = 0;
        while (value >= 0x80)
        {
            span[length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[length++] = (byte)value;
        return length;
    }

    public void VarInt(long value) => VarUInt((ulong)((value << 1) ^ (value >> 63)));

    public void Fixed64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    public void DateTime(DateTime value) => Fixed64((ulong)value.ToBinary());

    /// <summary>A decimal as its scale and sign, then its 96-bit integer in varints: two or three bytes for most amounts.</summary>
    public void Decimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        VarUInt((uint)bits[3] >> 16); // sign bit (31) and scale (bits 16-23) of the flags word
        VarUInt((uint)bits[0] | ((ulong)(uint)bits[1] << 32));
        VarUInt((uint)bits[2]);
    }

    public void String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        VarUInt((uint)length);
        Encoding.UTF8.GetBytes(value, Reserve(length));
    }

    /// <summary>Bytes packed before, as they are.</summary>
    public void Bytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void NullableString(string? value)
    {
        Bool(value is not null);
        if (value is not null) String(value);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = [];
    }

    private Span<byte> Reserve(int bytes)
    {
        if (buffer.Length - position < bytes)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, position + bytes));
            buffer.AsSpan(0, position).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = larger;
        }
        var span = buffer.AsSpan(position, bytes);
        position += bytes;
        return span;
    }
}

/// <summary>Reads what <see cref="PackedWriter"/> wrote; a run that ends early or holds an impossible value throws <see cref="SerializerException"/>.</summary>
public ref struct PackedReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> bytes = bytes;
    private int position;

    /// <summary>The format version of the run being read (<see cref="PackedFormat.Version"/> when it was written).</summary>
    public byte Version { get; internal set; } = PackedFormat.Version;

    public readonly bool AtEnd => position == bytes.Length;

    public byte Byte() => Take(1)[0];

    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        var other => throw new SerializerException($"A packed bool holds {other}."),
    };

    public ulong VarUInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var next = Byte();
            if (shift == 63 && next > 1) throw new SerializerException("A packed varint is larger than 64 bits.");
            value |= (ulong)(next & 0x7F) << shift;
            if (next < 0x80) return value;
        }
        throw new SerializerException("A packed varint runs over 10 bytes.");
    }

    public long VarInt()
    {
        var value = VarUInt();
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    public int Int32()
    {
        var value = VarInt();
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new SerializerException($"A packed 32-bit integer holds {value}.");
    }

    /// <summary>A count of entries that follow, each at least one byte: never more than the bytes left.</summary>
    public int Count()
    {
        var count = VarUInt();
        return count <= (ulong)(bytes.Length - position) ? (int)count : throw new SerializerException($"A packed run claims {count} entries in {bytes.Length - position} bytes.");
    }

    public ulong Fixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public DateTime DateTime()
    {
        var binary = (long)Fixed64();
        try
        {
            return System.DateTime.FromBinary(binary);
        }
        catch (ArgumentException)
        {
            throw new SerializerException($"A packed date holds {binary}.");
        }
    }

    public decimal Decimal()
    {
        var flags = VarUInt();
        var low = VarUInt();
        var high = VarUInt();
        var scale = (byte)(flags & 0xFF);
        if (scale > 28 || (flags & ~0x80FFUL) != 0 || high > uint.MaxValue) throw new SerializerException("A packed decimal is out of range.");
        return new decimal((int)(uint)low, (int)(uint)(low >> 32), (int)(uint)high, (flags & 0x8000) != 0, scale);
    }

    public string String()
    {
        var length = VarUInt();
        if (length > (ulong)(bytes.Length - position)) throw new SerializerException("A packed string runs past its run.");
        return Encoding.UTF8.GetString(Take((int)length));
    }

    public string? NullableString() => Bool() ? String() : null;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (bytes.Length - position < count) throw new SerializerException("A packed run ends early.");
        var span = bytes.Slice(position, count);
        position += count;
        return span;
    }
}
