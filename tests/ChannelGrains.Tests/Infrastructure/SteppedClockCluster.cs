using ChannelGrains.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>
/// A one-silo cluster whose wall clock a test can step (its monotonic clock runs on). Its tests run one at a time. A
/// step forward is kept; one that steps the clock back steps it forward again when it ends (<see cref="SteppedBackAsync"/>):
/// Orleans schedules grain collection by the same clock and tolerates a step back of less than a minute only.
/// </summary>
public sealed class SteppedClockCluster : IAsyncLifetime
{
    public const string Name = "stepped clock";

    public static readonly SteppedClock Clock = new();

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await OwnCluster<Configurator>.StartAsync(silos: 1);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public sealed class SteppedClock : TimeProvider
    {
        public TimeSpan Step { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Step;
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddChannelProviders(connectionString: null, silo.Configuration);
            silo.Services.AddSingleton<TimeProvider>(Clock);
        }
    }

    /// <summary>Runs <paramref name="body"/> with the wall clock <paramref name="back"/> behind, and steps it forward again.</summary>
    public static async Task SteppedBackAsync(TimeSpan back, Func<Task> body)
    {
        Clock.Step -= back;
        try
        {
            await body();
        }
        finally
        {
            Clock.Step += back;
        }
    }
}

[CollectionDefinition(SteppedClockCluster.Name)]
public sealed class SteppedClockCollection : ICollectionFixture<SteppedClockCluster>;
