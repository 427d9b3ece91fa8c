using System.Buffers;
using System.Text.Json;

namespace ChannelGrains.Api.Transport;

/// <summary>The graphql-transport-ws messages that carry no GraphQL result, as UTF-8 JSON.</summary>
internal static class Messages
{
    public static readonly byte[] ConnectionAck = Write("connection_ack");
    public static readonly byte[] Ping = Write("ping");

    public static byte[] Pong(JsonElement? payload) => Write("pong", payload: payload);

    public static byte[] Complete(string id) => Write("complete", id);

    private static byte[] Write(string type, string? id = null, JsonElement? payload = null)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (id is not null) writer.WriteString("id", id);
            writer.WriteString("type", type);
            if (payload is { } value)
            {
                writer.WritePropertyName("payload");
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
