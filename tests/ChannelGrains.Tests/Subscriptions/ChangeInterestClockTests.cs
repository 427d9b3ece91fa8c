using ChannelGrains.Common;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace ChannelGrains.Tests.Subscriptions;

/// <summary>
/// The watched-keys registry times its readers by the monotonic clock, and its versions rise across activations: a step
/// of the wall clock, forward or back, ends no wait early.
/// </summary>
[Collection(SteppedClockCluster.Name)]
public sealed class ChangeInterestClockTests(SteppedClockCluster fixture)
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

    [Fact]
    public async Task After_the_wall_clock_stepped_back_a_registry_activated_again_does_not_take_an_older_copy_for_a_current_one()
    {
        var tenant = TestTenant.New();
        var registry = fixture.Cluster.Client.GetGrain<IChangeInterestGrain>($"{tenant}-feed");
        var before = await registry.ReadAsync("silo-a", knownVersion: 0);
        await registry.HoldsAsync("silo-a", before.Version);
        await registry.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

        await SteppedClockCluster.SteppedBackAsync(TimeSpan.FromSeconds(20), async () =>
        {
            var after = await registry.ReadAsync("silo-b", knownVersion: 0);
            Assert.True(after.Version > before.Version, $"version {after.Version} after the activation again, {before.Version} handed out before it");

            // Silo A still filters by the copy it read before (its answers are slow to arrive) and says so, while a key is watched.
            using var silent = new CancellationTokenSource();
            var silo = Task.Run(async () =>
            {
                while (!silent.IsCancellationRequested)
                {
                    await registry.HoldsAsync("silo-a", before.Version);
                    await Task.Delay(50);
                }
            });
            await registry.HoldsAsync("silo-b", after.Version);
            var watching = registry.WatchAsync($"{tenant}-watcher", [Keys.Of(tenant, "W")]);
            await Task.Delay(ChangeInterest.CopyLifetime * 2.5);
            Assert.False(watching.IsCompleted, "the watch returned while a silo still filtered by a copy from before the key was watched");
            await silent.CancelAsync();
            await silo;
            // Silo B never read the key either: the watch returns once both have gone quiet (a copy lives 1 s).
            await watching.WaitAsync(TimeSpan.FromSeconds(10));
        });
    }
}
