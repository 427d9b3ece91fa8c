using System.Buffers.Text;
using System.Text;
using ChannelGrains.Common;
using GraphQL.Types;

namespace ChannelGrains.Api.Schema;

/// <summary>Opaque cursors over ids, and the bounds every paginated field shares.</summary>
public static class Paging
{
    public const int DefaultFirst = 50;
    public const int MaxFirst = 500;

    public static int First(int? first) => first switch
    {
        null => DefaultFirst,
        < 0 => throw ChannelException.Validation("first must not be negative."),
        > MaxFirst => throw ChannelException.Validation($"first must be at most {MaxFirst}."),
        _ => first.Value,
    };

    public static string Cursor(string id) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("id:" + id));

    public static string? AfterId(string? cursor)
    {
        if (cursor is null) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            if (text.StartsWith("id:", StringComparison.Ordinal)) return text[3..];
        }
        catch (FormatException)
        {
        }
        throw ChannelException.Validation($"after '{cursor}' is not a cursor this API issued.");
    }
}

public sealed record PageInfo(bool HasNextPage, string? EndCursor);

public sealed class PageInfoType : ObjectGraphType<PageInfo>
{
    public PageInfoType()
    {
        Name = "PageInfo";
        Field(x => x.HasNextPage);
        Field(x => x.EndCursor, nullable: true);
    }
}
