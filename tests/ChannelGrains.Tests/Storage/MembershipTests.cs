using System.Diagnostics;
using ChannelGrains.Silo.Hosting;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChannelGrains.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class MembershipTests(PostgresServer postgres)
{
    private static readonly TimeSpan ConvergenceTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_silos_sharing_the_database_see_each_other_as_active()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var first = await ChannelSilo.StartAsync(database, "pair", localhostClustering: false);
        await using var second = await ChannelSilo.StartAsync(database, "pair", localhostClustering: false);

        await WaitForActiveSilosAsync(first, 2);
        await WaitForActiveSilosAsync(second, 2);

        Assert.Equal(2L, await Sql.ScalarAsync<long>(database, $"SELECT count(*) FROM orleans_membership WHERE status = {(int)SiloStatus.Active}"));
    }

    [Fact]
    public async Task A_silo_that_shuts_down_is_recorded_dead_and_leaves_the_others_view()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var staying = await ChannelSilo.StartAsync(database, "leaving", localhostClustering: false);
        var leaving = await ChannelSilo.StartAsync(database, "leaving", localhostClustering: false);
        await WaitForActiveSilosAsync(staying, 2);

        await leaving.DisposeAsync();

        await WaitForActiveSilosAsync(staying, 1);
        Assert.Equal([$"{(int)SiloStatus.Active}", $"{(int)SiloStatus.Dead}"], await Sql.ColumnAsync(database, "SELECT status FROM orleans_membership ORDER BY status"));
    }

    [Fact]
    public async Task A_client_finds_the_silo_gateways_through_the_database_and_calls_grains()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "client", localhostClustering: false);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client.UseChannelClient(ChannelSilo.ClusterConfiguration(database, "client")));
        using var clientHost = builder.Build();
        await clientHost.StartAsync();

        var grain = clientHost.Services.GetRequiredService<IClusterClient>().GetGrain<IStateProbeGrain>("acme/through-gateway");
        await grain.SaveAsync("via client");

        Assert.Equal("via client", (await grain.ReadAsync()).Text);
        await clientHost.StopAsync();
    }

    private static async Task WaitForActiveSilosAsync(ChannelSilo silo, int expected)
    {
        var membership = silo.Services.GetRequiredService<IClusterMembershipService>();
        var waited = Stopwatch.StartNew();
        int ActiveCount() => membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        while (ActiveCount() != expected)
        {
            Assert.True(waited.Elapsed < ConvergenceTimeout,
                $"After {ConvergenceTimeout.TotalSeconds} s the silo sees {ActiveCount()} active silos, not {expected}.");
            await Task.Delay(100);
        }
    }
}
