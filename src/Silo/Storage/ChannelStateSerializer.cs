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

    public BinaryData Serialize<T>(T? input)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.GetSpan(1)[0] = BinaryMark;
        buffer.Advance(1);
        serializer.Serialize(input, buffer);
        return new BinaryData(buffer.WrittenMemory);
    }

    public T? Deserialize<T>(BinaryData input)
    {
        var bytes = input.ToMemory();
        if (bytes.Length > 0 && bytes.Span[0] == BinaryMark)
            return serializer.Deserialize<T>(bytes[1..]);
        return legacyJson.Deserialize<T>(input);
    }
}
