using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ChannelGrains.Silo.Storage;

/// <summary>One versioned SQL script from <c>Storage/Migrations</c>, named <c>NNNN_description.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>
    /// Fingerprint of the script as applied. An applied script that is edited later would otherwise be silently
    /// skipped on databases that ran the old text; line endings are normalised so a Windows checkout matches.
    /// </summary>
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

/// <summary>The migrations embedded in this assembly, in version order.</summary>
public static partial class MigrationCatalog
{
    public static IReadOnlyList<Migration> Embedded { get; } = Load(typeof(MigrationCatalog).Assembly);

    private static IReadOnlyList<Migration> Load(Assembly assembly)
    {
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ScriptName().Match(resource);
            if (!match.Success)
                continue;
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!, Encoding.UTF8);
            migrations.Add(new Migration(int.Parse(match.Groups["version"].ValueSpan), match.Groups["name"].Value, reader.ReadToEnd()));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Two schema migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.Name))}.");
        return migrations.OrderBy(m => m.Version).ToArray();
    }

    [GeneratedRegex(@"\.Migrations\.(?<version>\d{4})_(?<name>\w+)\.sql$")]
    private static partial Regex ScriptName();
}
