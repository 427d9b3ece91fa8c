using System.Buffers;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace ChannelGrains.Silo.Storage;

/// <summary>
/// How grain state is turned into bytes, in every storage mode: the Orleans binary serializer (the same codecs and
/// <c>[Id]</c> version tolerance as grain calls), behind a one-byte format mark.
/// </summary>
/// <remarks>
/// Every write serialises a grain's whole state, so the serializer is on the hot path of every mutation: the binary
/// codecs are generated code, several times cheaper than System.Text.Json's reflection-driven writer (the largest
/// share of a mutation's CPU in memory mode, measured with <c>bench … ceiling</c>), and their output is smaller.
/// Payloads without the mark were written before it existed, as System.Text.Json, and are still read.
/// </remarks>
public sealed class ChannelStateSerializer(Serializer serializer, IOptions<SystemTextJsonGrainStorageSerializerOptions> jsonOptions) : IGrainStorageSerializer
{
    /// <summary>First byte of an Orleans-binary payload. JSON text never starts with it.</summary>
    public const byte BinaryMark = 0x01;

    private readonly SystemTextJsonGrainStorageSerializer legacyJson = new(jsonOptions);

    /// <summary>A scratch buffer per thread: serializing is synchronous, so one thread never has two in use.</summary>
    [ThreadStatic] private static ArrayBufferWriter<byte>? scratch;

    /// <summary>A scratch buffer that grew past this (a rare huge state) is replaced by a small one at its thread's next use.</summary>
    private const int MaxScratchBytes = 1 << 20;

    /// <summary>
    /// The state's bytes in a new array of exactly their length (see <see cref="Payload"/>). Serializing into a
    /// growing buffer and copying it out cost about three times the payload in garbage per write.
    /// </summary>
    public BinaryData Serialize<T>(T? input) => new(SerializeToScratch(input).ToArray());

    /// <summary>
    /// The state's bytes in this thread's scratch buffer: valid only until the thread serializes again, so copy
    /// them before anything else runs (no await in between). For a store that keeps its own buffers.
    /// </summary>
    public ReadOnlySpan<byte> SerializeToScratch<T>(T? input)
    {
        var buffer = scratch;
        if (buffer is null || buffer.Capacity > MaxScratchBytes) scratch = buffer = new ArrayBufferWriter<byte>(4096);
        else buffer.ResetWrittenCount();
        buffer.GetSpan(1)[0] = BinaryMark;
        buffer.Advance(1);
        serializer.Serialize(input, buffer);
        return buffer.WrittenSpan;
    }

    /// <summary>
    /// The bytes of a serialized state as one array: the array <see cref="Serialize"/> made, without a copy, or a copy
    /// when the data is a slice (another serializer's output, which may still share its array).
    /// </summary>
    public static byte[] Payload(BinaryData data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data.ToMemory(), out var segment)
        && segment is { Array: { } array, Offset: 0 } && segment.Count == array.Length ? array : data.ToArray();

    public T? Deserialize<T>(BinaryData input)
    {
        var bytes = input.ToMemory();
        if (bytes.Length > 0 && bytes.Span[0] == BinaryMark)
            return serializer.Deserialize<T>(bytes[1..]);
        return legacyJson.Deserialize<T>(input);
    }
}
