using ChannelGrains.Silo.Hosting;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChannelGrains.Tests.Storage;

/// <summary>
/// A real silo host configured exactly as production does it, through <see cref="SiloSetup.UseChannelSilo"/>.
/// The TestingHost clusters are not used here because they substitute their own membership table and
/// in-memory transport, which would bypass the ADO.NET clustering under test.
/// </summary>
internal sealed class ChannelSilo : IAsyncDisposable
{
    private readonly IHost host;

    private ChannelSilo(IHost host) => this.host = host;

    public IServiceProvider Services => host.Services;

    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// Starts a silo on free ports; silos given the same database and cluster id form one cluster. Without a
    /// connection string the silo runs in the embedded memory mode.
    /// </summary>
    public static async Task<ChannelSilo> StartAsync(string? connectionString, string clusterId, bool localhostClustering = true,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddConfiguration(ClusterConfiguration(connectionString, clusterId, FreeTcpPort.Next(), FreeTcpPort.Next()))
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.UseOrleans(silo => silo.UseChannelSilo(configuration, localhostClustering));
        var host = builder.Build();
        await host.StartAsync();
        return new ChannelSilo(host);
    }

    /// <summary>The configuration keys the silo and the Api read, as a deployment would set them.</summary>
    public static IConfiguration ClusterConfiguration(string? connectionString, string clusterId, int siloPort = 0, int gatewayPort = 0) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Channel"] = connectionString,
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:ServiceId"] = clusterId,
            ["Orleans:SiloPort"] = siloPort.ToString(),
            ["Orleans:GatewayPort"] = gatewayPort.ToString(),
        }).Build();

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
