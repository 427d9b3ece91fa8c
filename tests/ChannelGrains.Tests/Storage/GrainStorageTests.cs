using ChannelGrains.Common;
using ChannelGrains.Silo.Storage;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ChannelGrains.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class GrainStorageTests(PostgresServer postgres)
{
    private const string ProbeType = "ChannelGrains.Tests.Storage.ProbeState";

    [Fact]
    public async Task State_written_by_a_grain_is_read_back_after_the_silo_restarts()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using (var first = await ChannelSilo.StartAsync(database, "restart"))
        {
            var grain = first.Grains.GetGrain<IStateProbeGrain>("acme/p-1");
            await grain.SaveAsync("one");
            await grain.SaveAsync("two");
        }

        await using var second = await ChannelSilo.StartAsync(database, "restart");
        var restored = await second.Grains.GetGrain<IStateProbeGrain>("acme/p-1").ReadAsync();

        Assert.Equal(new ProbeState { Text = "two", Saves = 2 }, restored);
    }

    [Fact]
    public async Task State_is_stored_in_one_row_named_by_its_grain_in_the_binary_format()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "binary");

        await silo.Grains.GetGrain<IStateProbeGrain>("acme/p-2").SaveAsync("compact");

        Assert.Equal(ChannelStateSerializer.BinaryMark, await Sql.ScalarAsync<int>(database,
            "SELECT get_byte(payload, 0) FROM channel_grain_state WHERE grain_id = 'stateprobe/acme/p-2' AND state_name = 'probe' AND version = 1"));
        var restored = silo.Services.GetRequiredService<IGrainStorageSerializer>().Deserialize<ProbeState>(new BinaryData(
            await Sql.ScalarAsync<byte[]>(database, "SELECT payload FROM channel_grain_state WHERE grain_id = 'stateprobe/acme/p-2'")));
        Assert.Equal(new ProbeState { Text = "compact", Saves = 1 }, restored);
    }

    [Fact]
    public async Task A_write_from_a_stale_etag_fails_with_InconsistentStateException()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "stale-write");
        var storage = GrainStorageOf(silo);
        var grainId = GrainId.Create("probe", "acme/stale");
        var created = new GrainState<ProbeState>(new ProbeState { Text = "v1" });
        await storage.WriteStateAsync(ProbeType, grainId, created);
        var winner = new GrainState<ProbeState>(new ProbeState { Text = "winner" }) { ETag = created.ETag };
        var loser = new GrainState<ProbeState>(new ProbeState { Text = "loser" }) { ETag = created.ETag };

        await storage.WriteStateAsync(ProbeType, grainId, winner);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(ProbeType, grainId, loser));
        var stored = new GrainState<ProbeState>();
        await storage.ReadStateAsync(ProbeType, grainId, stored);
        Assert.Equal(("winner", winner.ETag), (stored.State?.Text, stored.ETag));
    }

    [Fact]
    public async Task A_second_first_write_of_the_same_grain_fails_with_InconsistentStateException()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "double-insert");
        var storage = GrainStorageOf(silo);
        var grainId = GrainId.Create("probe", "acme/twice");

        await storage.WriteStateAsync(ProbeType, grainId, new GrainState<ProbeState>(new ProbeState { Text = "first" }));

        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync(ProbeType, grainId, new GrainState<ProbeState>(new ProbeState { Text = "duplicate activation" })));
    }

    [Fact]
    public async Task Cleared_state_reads_back_as_absent_and_can_be_written_again()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "clear");
        var storage = GrainStorageOf(silo);
        var grainId = GrainId.Create("probe", "acme/cleared");
        var state = new GrainState<ProbeState>(new ProbeState { Text = "doomed" });
        await storage.WriteStateAsync(ProbeType, grainId, state);

        await storage.ClearStateAsync(ProbeType, grainId, state);

        var read = new GrainState<ProbeState>();
        await storage.ReadStateAsync(ProbeType, grainId, read);
        Assert.False(read.RecordExists);
        Assert.Equal(new ProbeState(), read.State);
        read.State = new ProbeState { Text = "reborn" };
        await storage.WriteStateAsync(ProbeType, grainId, read);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task A_clear_from_a_stale_etag_fails_with_InconsistentStateException()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "stale-clear");
        var storage = GrainStorageOf(silo);
        var grainId = GrainId.Create("probe", "acme/stale-clear");
        var stale = new GrainState<ProbeState>(new ProbeState { Text = "v1" });
        await storage.WriteStateAsync(ProbeType, grainId, stale);
        await storage.WriteStateAsync(ProbeType, grainId, new GrainState<ProbeState>(new ProbeState { Text = "v2" }) { ETag = stale.ETag });

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(ProbeType, grainId, stale));
    }

    private static IGrainStorage GrainStorageOf(ChannelSilo silo) => silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel);
}
