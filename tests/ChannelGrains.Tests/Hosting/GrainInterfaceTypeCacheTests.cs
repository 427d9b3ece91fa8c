using ChannelGrains.Common;
using ChannelGrains.Partners;
using ChannelGrains.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Serialization.TypeSystem;

namespace ChannelGrains.Tests.Hosting;

public sealed class GrainInterfaceTypeCacheTests
{
    [Fact]
    public async Task The_cache_answers_first_and_exactly_as_Orleans_own_providers_for_every_grain_interface()
    {
        await using var silo = await ChannelSilo.StartAsync(null, "interface-types");
        var providers = silo.Services.GetServices<IGrainInterfaceTypeProvider>().ToArray();
        Assert.IsType<CachedGrainInterfaceTypes>(providers[0]);
        var cached = silo.Services.GetRequiredService<GrainInterfaceTypeResolver>();
        var orleansOwn = new GrainInterfaceTypeResolver(providers.Skip(1), silo.Services.GetRequiredService<TypeConverter>());
        var interfaces = typeof(IDealerGrain).Assembly.GetTypes()
            .Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t) && !t.IsGenericTypeDefinition).ToArray();

        Assert.True(interfaces.Length > 10, $"only {interfaces.Length} grain interfaces found");
        foreach (var type in interfaces.Append(typeof(IStateProbeGrain)))
        {
            Assert.Equal(orleansOwn.GetGrainInterfaceType(type), cached.GetGrainInterfaceType(type));
            Assert.Equal(orleansOwn.GetGrainInterfaceType(type), cached.GetGrainInterfaceType(type)); // from the cache now
        }
        Assert.Equal(new ProbeState { Text = "via cache", Saves = 1 }, await SaveAndReadAsync(silo.Grains.GetGrain<IStateProbeGrain>("acme/cache")));
    }

    private static async Task<ProbeState> SaveAndReadAsync(IStateProbeGrain grain)
    {
        await grain.SaveAsync("via cache");
        return await grain.ReadAsync();
    }
}
