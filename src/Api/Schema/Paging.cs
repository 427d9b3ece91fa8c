using System.Buffers.Text;
using System.Globalization;
using System.Text;
using ChannelGrains.Common;
using GraphQL.Types;

namespace ChannelGrains.Api.Schema;

/// <summary>Opaque cursors over ids, and the bounds every paginated field shares.</summary>
public static class Paging
{
    public const int DefaultFirst = 50;
    public const int MaxFirst = 500;

    /// <summary>The page size asked for with <paramref name="field"/> (first, or last), within bounds.</summary>
    public static int First(int? first, string field = "first") => first switch
    {
        null => DefaultFirst,
        < 0 => throw ChannelException.Validation($"{field} must not be negative."),
        > MaxFirst => throw ChannelException.Validation($"{field} must be at most {MaxFirst}."),
        _ => first.Value,
    };

    public static string Cursor(string id) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("id:" + id));

    /// <summary>A cursor that also carries the item's position in its list (ids never contain '/').</summary>
    public static string Cursor(string id, long position) => Cursor(string.Create(CultureInfo.InvariantCulture, $"{id}/{position}"));

    /// <summary>The id and, for a cursor made with a position, the position an <c>after</c> cursor names.</summary>
    public static (string? Id, long? Position) AfterPositioned(string? cursor)
    {
        var after = AfterId(cursor);
        var slash = after?.LastIndexOf('/') ?? -1;
        return slash > 0 && long.TryParse(after.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            ? (after![..slash], position)
            : (after, null);
    }

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
