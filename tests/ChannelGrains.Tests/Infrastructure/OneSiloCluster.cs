using Orleans.TestingHost;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>A test cluster of its own for a test class: one silo, configured by <typeparamref name="TConfigurator"/>.</summary>
public static class OneSiloCluster
{
    /// <summary>Builds and deploys it, with the given configuration properties (a period, an interval).</summary>
    public static async Task<TestCluster> StartAsync<TConfigurator>(params (string Key, string Value)[] properties) where TConfigurator : ISiloConfigurator, new()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        foreach (var (key, value) in properties) builder.Properties[key] = value;
        builder.AddSiloBuilderConfigurator<TConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
