using Orleans.TestingHost;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>A test cluster of its own for a test class, its silos configured by <typeparamref name="TConfigurator"/>.</summary>
public static class OwnCluster<TConfigurator> where TConfigurator : ISiloConfigurator, new()
{
    /// <summary>Builds and deploys it with <paramref name="silos"/> silos and the given configuration properties (a period, an interval).</summary>
    public static async Task<TestCluster> StartAsync(int silos, params (string Key, string Value)[] properties)
    {
        var builder = new TestClusterBuilder(initialSilosCount: (short)silos);
        foreach (var (key, value) in properties) builder.Properties[key] = value;
        builder.AddSiloBuilderConfigurator<TConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
