using System.Buffers;
using System.Buffers.Binary;
using System.Text;
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
/// same order; a record that changes them raises <see cref="PackedFormat.Version"/> and reads both.
/// </summary>
public interface IPackable<TSelf> where TSelf : IPackable<TSelf>
{
    void PackInto(ref PackedWriter writer);

    static abstract TSelf Unpack(ref PackedReader reader);
}

/// <summary>
/// A list in grain state stored as one run of packed bytes rather than one serialized object per entry, and kept
/// packed between writes while it does not change.
/// </summary>
/// <remarks>
/// Every write of a grain serialises its whole state. The Orleans serializer tracks every object it writes (each record
/// and each string) so that a second reference to one is written as a reference, and past 64 objects that is a hash
/// lookup per object: a dealer with 256 order references and 256 sell-out receipts spent 45 µs a write, 21 % of the
/// in-process mix's CPU. Packing alone took that to 3 µs on a warm cache, but under load the entries of a thousand
/// dealers are not in the cache, and reading them again for every write still cost most of it. So a collection that
/// did not change since its last write is written from the bytes it packed then: the order list changes only when an
/// order is placed, the receipts only with a sell-out report. Small collections are packed anew each time and keep
/// no bytes: they cost little, and a million idle grains should not hold a copy. Entries must be immutable.
/// </remarks>
public sealed class PackedList<T> : IReadOnlyList<T> where T : IPackable<T>
{
    private static readonly List<T> None = [];

    /// <summary>Null while empty: most grains of a million never hold an entry, and an empty list is 32 bytes each.</summary>
    private List<T>? items;

    public PackedList()
    {
    }

    public PackedList(IEnumerable<T> items) => this.items = NullIfEmpty([.. items]);

    internal PackedList(List<T> items) => this.items = NullIfEmpty(items);

    /// <summary>The entries as last written, until they change; see <see cref="PackedFormat.Cache"/>.</summary>
    internal byte[]? Packed { get; set; }

    private List<T> Items => items ?? None;

    public int Count => Items.Count;

    public T this[int index] => Items[index];

    public void Add(T item)
    {
        (items ??= []).Add(item);
        Packed = null;
    }

    public void RemoveRange(int index, int count)
    {
        Items.RemoveRange(index, count);
        Packed = null;
    }

    public List<T> GetRange(int index, int count) => Items.GetRange(index, count);

    public int FindIndex(Predicate<T> match) => Items.FindIndex(match);

    public List<T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private static List<T>? NullIfEmpty(List<T> items) => items.Count > 0 ? items : null;
}

/// <summary>A dictionary by ordinal string key in grain state, stored and kept packed like <see cref="PackedList{T}"/>.</summary>
public sealed class PackedDictionary<T> : IReadOnlyDictionary<string, T> where T : IPackable<T>
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

    /// <summary>The entries as last written, until they change; see <see cref="PackedFormat.Cache"/>.</summary>
    internal byte[]? Packed { get; set; }

    private Dictionary<string, T> Items => items ?? None;

    public int Count => Items.Count;

    public T this[string key]
    {
        get => Items[key];
        set
        {
            (items ??= new(StringComparer.Ordinal))[key] = value;
            Packed = null;
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
        Packed = null;
        return true;
    }

    public Dictionary<string, T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<KeyValuePair<string, T>> IEnumerable<KeyValuePair<string, T>>.GetEnumerator() => GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The packed run's layout: a format version byte, the entry count, then the entries.</summary>
public static class PackedFormat
{
    public const byte Version = 1;

    /// <summary>A collection of at least this many entries keeps the bytes it was last written as, until it changes.</summary>
    public const int Cache = 16;

    /// <summary>
    /// Writes the entries as one length-prefixed field (the container itself is tracked like any object), from the bytes
    /// the container kept if it has them; returns the bytes to keep, if the container is large enough to keep them.
    /// </summary>
    public static byte[]? WriteField<TBufferWriter, TContainer>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, TContainer? value,
        int count, byte[]? kept, PackEntries<TContainer> pack) where TBufferWriter : IBufferWriter<byte> where TContainer : class
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value)) return null;
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(TContainer), WireType.LengthPrefixed);
        if (kept is not null)
        {
            Write(ref writer, kept);
            return kept;
        }
        var packed = new PackedWriter(count * 24 + 8);
        try
        {
            packed.Byte(Version);
            packed.VarUInt((uint)count);
            pack(ref packed, value!);
            Write(ref writer, packed.Written);
            return count >= Cache ? packed.Written.ToArray() : null;
        }
        finally
        {
            packed.Dispose();
        }
    }

    private static void Write<TBufferWriter>(ref Writer<TBufferWriter> writer, ReadOnlySpan<byte> bytes) where TBufferWriter : IBufferWriter<byte>
    {
        writer.WriteVarUInt32((uint)bytes.Length);
        writer.Write(bytes);
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
            if (version != Version) throw new SerializerException($"A packed {typeof(TContainer).Name} has format version {version}; this version reads {Version}.");
            var count = packed.VarUInt();
            if (count > length) throw new SerializerException($"A packed {typeof(TContainer).Name} claims {count} entries in {length} bytes.");
            var result = unpack(ref packed, (int)count);
            if (!packed.AtEnd) throw new SerializerException($"A packed {typeof(TContainer).Name} has bytes after its {count} entries.");
            ReferenceCodec.RecordObject(reader.Session, result);
            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public delegate void PackEntries<in TContainer>(ref PackedWriter writer, TContainer container);

    public delegate TContainer UnpackEntries<out TContainer>(ref PackedReader reader, int count);
}

[RegisterSerializer]
public sealed class PackedListCodec<T>(ICodecProvider codecs) : IFieldCodec<PackedList<T>> where T : IPackable<T>
{
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, PackedList<T>? value)
        where TBufferWriter : IBufferWriter<byte>
    {
        var kept = PackedFormat.WriteField(ref writer, fieldIdDelta, expectedType, value, value?.Count ?? 0, value?.Packed, static (ref PackedWriter packed, PackedList<T> list) =>
        {
            foreach (var item in list) item.PackInto(ref packed);
        });
        if (value is not null) value.Packed = kept;
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
        var kept = PackedFormat.WriteField(ref writer, fieldIdDelta, expectedType, value, value?.Count ?? 0, value?.Packed, static (ref PackedWriter packed, PackedDictionary<T> dictionary) =>
        {
            foreach (var (key, item) in dictionary)
            {
                packed.String(key);
                item.PackInto(ref packed);
            }
        });
        if (value is not null) value.Packed = kept;
    }

    public PackedDictionary<T>? ReadValue<TInput>(ref Reader<TInput> reader, Field field) =>
        PackedFormat.ReadValue(ref reader, field, codecs.GetCodec<Dictionary<string, T>>, static legacy => new PackedDictionary<T>(legacy), static (ref PackedReader packed, int count) =>
        {
            var dictionary = new PackedDictionary<T>(count);
            for (var i = 0; i < count; i++) dictionary[packed.String()] = T.Unpack(ref packed);
            return dictionary;
        });
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
        var span = Reserve(10);
        var length = 0;
        while (value >= 0x80)
        {
            span[length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[length++] = (byte)value;
        position -= 10 - length;
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
        for (var shift = 0; shift < 70; shift += 7)
        {
            var next = Byte();
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

    public int Int32() => checked((int)VarInt());

    public ulong Fixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public DateTime DateTime() => System.DateTime.FromBinary((long)Fixed64());

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
