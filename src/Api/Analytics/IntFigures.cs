using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;

namespace ChannelGrains.Api.Analytics;

/// <summary>
/// Counts served as GraphQL <c>Int</c>s. The grains sum units and counts as 64-bit integers, so a region's total never
/// wraps however many dealers it holds (each holds at most 100,000,000 units); a total beyond <c>Int</c>'s 32 bits (a
/// national channel stock above 2,147,483,647 units, say) is a field error that says so, never a wrong number. The
/// same figure of a child region, a tier or a SKU is served as long as it fits.
/// </summary>
public static class IntFigures
{
    /// <summary>The <c>extensions.code</c> of a count too large for GraphQL's <c>Int</c>.</summary>
    public const string OutOfRange = "INT_OUT_OF_RANGE";

    /// <summary>A non-null <c>Int</c> field <paramref name="name"/> holding <paramref name="count"/> of the source.</summary>
    public static FieldBuilder<T, object> IntField<T>(this ObjectGraphType<T> type, string name, Func<T, long> count) =>
        type.Field<NonNullGraphType<IntGraphType>>(name).Resolve(c => Served(count(c.Source), name));

    public static int Served(long count, string field) => count is >= int.MinValue and <= int.MaxValue
        ? (int)count
        : throw new ExecutionError($"{field} is {count:N0}, beyond what a GraphQL Int holds ({int.MaxValue:N0}); its parts (child regions, tiers, SKUs) are served.")
        {
            Code = OutOfRange,
        };
}
