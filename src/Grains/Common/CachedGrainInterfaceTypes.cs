using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;

namespace ChannelGrains.Common;

/// <summary>
/// Answers which grain interface type a .NET interface is from a cache. Orleans works it out at every
/// <c>GetGrain</c>: its attribute provider instantiates the interface's custom attributes each time, then falls back
/// to the naming convention; under load that was 4–7 % of a silo's or Api's CPU (resolvers and sagas get grains per
/// call). The answer is the one Orleans would give (attributes first, then the convention), computed once per type.
/// </summary>
public sealed class CachedGrainInterfaceTypes(IServiceProvider services) : IGrainInterfaceTypeProvider
{
    private readonly AttributeGrainInterfaceTypeProvider attributes = new(services);
    private readonly ConcurrentDictionary<Type, GrainInterfaceType> known = new();
    private GrainInterfaceTypeResolver? resolver;

    public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
    {
        // Generic interfaces take the resolver's own path, which constructs their type arguments.
        if (type.IsGenericType)
        {
            grainInterfaceType = default;
            return false;
        }
        // TryGetValue first: GetOrAdd(type, Resolve) would allocate a delegate for the instance method at every call.
        if (!known.TryGetValue(type, out grainInterfaceType)) grainInterfaceType = known.GetOrAdd(type, Resolve(type));
        return true;
    }

    private GrainInterfaceType Resolve(Type type)
    {
        if (attributes.TryGetGrainInterfaceType(type, out var fromAttribute)) return fromAttribute;
        // Resolved late: the resolver is built from the providers, this one among them.
        resolver ??= services.GetRequiredService<GrainInterfaceTypeResolver>();
        return resolver.GetGrainInterfaceTypeByConvention(type);
    }

    /// <summary>Puts the cache ahead of Orleans' own providers (the first to answer wins).</summary>
    public static void AddTo(IServiceCollection services) =>
        services.Insert(0, ServiceDescriptor.Singleton<IGrainInterfaceTypeProvider, CachedGrainInterfaceTypes>());
}
