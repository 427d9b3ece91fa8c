namespace ChannelGrains.Common;

/// <summary>Region paths roll up to their root: <c>CN/East/Shanghai</c> is under <c>CN/East</c> and <c>CN</c>.</summary>
public static class RegionPath
{
    /// <summary>True when <paramref name="region"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsWithin(string region, string ancestor) =>
        region.Length == ancestor.Length
            ? string.Equals(region, ancestor, StringComparison.Ordinal)
            : region.Length > ancestor.Length && region[ancestor.Length] == '/' && region.StartsWith(ancestor, StringComparison.Ordinal);

    /// <summary>The region and each of its ancestors, nearest first: CN/East/Shanghai, CN/East, CN.</summary>
    public static IEnumerable<string> SelfAndAncestors(string region)
    {
        for (var path = region; ; )
        {
            yield return path;
            var slash = path.LastIndexOf('/');
            if (slash < 0) yield break;
            path = path[..slash];
        }
    }

    public static string? Parent(string region)
    {
        var slash = region.LastIndexOf('/');
        return slash < 0 ? null : region[..slash];
    }
}
