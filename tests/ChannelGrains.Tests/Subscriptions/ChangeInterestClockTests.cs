using ChannelGrains.Common;
using ChannelGrains.Silo.Hosting;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Subscriptions;

/// <summary>A one-silo cluster whose wall clock the test can step forward (its monotonic clock runs on).</summary>
public sealed class SteppedClockCluster : IAsyncLifetime
{
    public static readonly SteppedClock Clock = new();

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        builder.AddSiloBuilderConfigurator<Configurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

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
}

/// <summary>The watched-keys registry times its readers by the monotonic clock: a step of the wall clock ends no wait early.</summary>
public sealed class ChangeInterestClockTests(SteppedClockCluster fixture) : IClassFixture<SteppedClockCluster>
{
    [Fact]
    public async Task A_wall_clock_step_during_a_watch_does_not_make_it_return_before_a_silo_filters_by_a_copy_with_the_key()
    {
        var silo = Assert.IsType<InProcessSiloHandle>(fixture.Cluster.Primary).SiloHost.Services;
        Assert.Same(SteppedClockCluster.Clock, silo.GetRequiredService<TimeProvider>());
        var tenant = TestTenant.New();
        var registry = fixture.Cluster.Client.GetGrain<IChangeInterestGrain>(StreamNames.Dealer);
        // A silo whose answers from the registry take 300 ms to arrive, reading again every 200 ms as its producers publish.
        var cache = new ChangeInterestCache(_ => new SlowAnswers(registry, TimeSpan.FromMilliseconds(300)), TimeProvider.System, NullLogger<ChangeInterestCache>.Instance);
        var unwatched = Keys.Of(tenant, "nobody");
        await Eventually.HoldsAsync(() => !cache.ShouldPublish(StreamNames.Dealer, unwatched), "the silo has a fresh copy and filters");
        using var producing = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            while (!producing.IsCancellationRequested)
            {
                cache.ShouldPublish(StreamNames.Dealer, unwatched);
                await Task.Delay(20);
            }
        });
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var key = Keys.Of(tenant, $"W{i}");
                var watching = registry.WatchAsync($"{tenant}-watcher-{i}", [key]);
                await Task.Delay(100); // the registry now waits for the slow silo's copy
                // Less than a lease (30 s), more than a copy's lifetime: every reader looks quiet by the wall clock.
                SteppedClockCluster.Clock.Step += TimeSpan.FromSeconds(5);
                await watching;
                Assert.True(cache.ShouldPublish(StreamNames.Dealer, key), $"a change of {key} right after its watch returned would be skipped");
            }
        }
        finally
        {
            await producing.CancelAsync();
            await producer;
        }
    }
}
