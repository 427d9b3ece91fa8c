using ChannelGrains.Common;
using ChannelGrains.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>A two-silo in-process Orleans cluster with the product's storage and stream names, shared by a test collection.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; } = new TestClusterBuilder(initialSilosCount: 2)
        .AddSiloBuilderConfigurator<SiloConfigurator>()
        .AddClientBuilderConfigurator<ClientConfigurator>()
        .Build();

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The channel store the silos share (one table per process in memory mode): to read or plant a grain's stored state.</summary>
    public IGrainStorage ChannelStorage =>
        Assert.IsType<InProcessSiloHandle>(Cluster.Primary).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(ChannelGrains.Common.StorageNames.Channel);

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.AddChannelProviders(connectionString: null);
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder client) => client.AddMemoryStreams(StreamNames.Provider);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>Every test uses its own tenant, so tests sharing a cluster never share grains.</summary>
public static class TestTenant
{
    public static string New() => "t" + Guid.NewGuid().ToString("N")[..12];
}
