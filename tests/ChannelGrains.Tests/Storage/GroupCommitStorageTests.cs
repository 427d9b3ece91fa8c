using System.Text.Json;
using ChannelGrains.Common;
using ChannelGrains.Silo.Storage;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ChannelGrains.Tests.Storage;

/// <summary>
/// The channel store commits the writes of many grains in one statement. Batching must not weaken the contract of
/// a single write: each write is acknowledged only once committed, conflicts stay per grain, and a batch that fails
/// fails every write in it and stores none of them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GroupCommitStorageTests(PostgresServer postgres)
{
    private const string StateName = "probe";

    [Fact]
    public async Task Concurrent_writes_of_many_grains_share_commits_and_each_is_stored_with_its_version()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "group-commit");
        var storage = StorageOf(silo);
        var states = Enumerable.Range(0, 1_000).Select(i => new GrainState<ProbeState>(new ProbeState { Text = $"t{i}", Saves = i })).ToArray();

        await Task.WhenAll(states.Select((state, i) => storage.WriteStateAsync(StateName, Grain(i), state)));

        Assert.All(states, state => Assert.Equal("1", state.ETag));
        Assert.Equal(1_000L, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM channel_grain_state WHERE version = 1 AND payload IS NOT NULL"));
        var (statements, writes) = storage.WriteCounts;
        Assert.Equal(1_000L, writes);
        Assert.True(statements < writes / 4, $"{writes} writes took {statements} statements: they were not batched");
        var reads = Enumerable.Range(0, 1_000).Select(_ => new GrainState<ProbeState>()).ToArray();
        await Task.WhenAll(reads.Select((read, i) => storage.ReadStateAsync(StateName, Grain(i), read)));
        Assert.All(reads.Select((read, i) => (read, i)), x => Assert.Equal((new ProbeState { Text = $"t{x.i}", Saves = x.i }, "1", true), (x.read.State, x.read.ETag, x.read.RecordExists)));
    }

    [Fact]
    public async Task A_state_of_several_kilobytes_is_stored_in_its_row_compressed_with_lz4()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "inline-lz4");
        var storage = StorageOf(silo);
        // Order ids, as in a dealer's state: 7 KB that compress to about half, still over TOAST's 2 KB.
        var text = string.Concat(Enumerable.Range(0, 400).Select(i => $"O{i:000000}-{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)))[..8]};"));

        await storage.WriteStateAsync(StateName, Grain(1), new GrainState<ProbeState>(new ProbeState { Text = text }));

        Assert.Equal("lz4", await Sql.ScalarAsync<string>(database, "SELECT pg_column_compression(payload) FROM channel_grain_state"));
        Assert.Equal(0L, await ToastRowsAsync(database));
        Assert.Equal(text, await TextAsync(storage, Grain(1)));
    }

    private static async Task<long> ToastRowsAsync(string database)
    {
        var toast = await Sql.ScalarAsync<string>(database, "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'channel_grain_state'");
        return await Sql.ScalarAsync<long>(database, $"SELECT count(*) FROM {toast}");
    }

    [Fact]
    public async Task A_stale_write_in_a_batch_fails_alone_and_the_others_commit()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "group-conflict");
        var storage = StorageOf(silo);
        var contested = new GrainState<ProbeState>(new ProbeState { Text = "v1" });
        await storage.WriteStateAsync(StateName, Grain(-1), contested);
        await storage.WriteStateAsync(StateName, Grain(-1), new GrainState<ProbeState>(new ProbeState { Text = "v2" }) { ETag = contested.ETag });
        var others = Enumerable.Range(0, 200).Select(i => new GrainState<ProbeState>(new ProbeState { Text = $"o{i}" })).ToArray();

        var stale = storage.WriteStateAsync(StateName, Grain(-1), new GrainState<ProbeState>(new ProbeState { Text = "stale" }) { ETag = contested.ETag });
        var rest = Task.WhenAll(others.Select((state, i) => storage.WriteStateAsync(StateName, Grain(i), state)));

        await Assert.ThrowsAsync<InconsistentStateException>(() => stale);
        await rest;
        Assert.Equal("v2", await TextAsync(storage, Grain(-1)));
        Assert.Equal(200L, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM channel_grain_state WHERE grain_id <> 'probe/acme/contested'"));
    }

    [Fact]
    public async Task Two_writes_of_one_grain_from_the_same_version_at_once_let_exactly_one_win()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "group-twice");
        var storage = StorageOf(silo);
        var first = new GrainState<ProbeState>(new ProbeState { Text = "v1" });
        await storage.WriteStateAsync(StateName, Grain(7), first);

        var attempts = Enumerable.Range(0, 8).Select(i => new GrainState<ProbeState>(new ProbeState { Text = $"w{i}" }) { ETag = first.ETag }).ToArray();
        var outcomes = await Task.WhenAll(attempts.Select(async a =>
        {
            try { await storage.WriteStateAsync(StateName, Grain(7), a); return true; }
            catch (InconsistentStateException) { return false; }
        }));

        var winner = Assert.Single(attempts.Where((_, i) => outcomes[i]));
        Assert.Equal((winner.State!.Text, "2"), (await TextAsync(storage, Grain(7)), winner.ETag));
    }

    [Fact]
    public async Task A_batch_the_database_refuses_fails_every_write_in_it_and_stores_none_of_them()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "group-refused");
        var storage = StorageOf(silo);
        // A poisoned row makes its whole statement fail, as a lost connection or a full disk would.
        await Sql.ScalarAsync<int>(database, """
            CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.grain_id = 'probe/acme/poison' THEN RAISE EXCEPTION 'poisoned write'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON channel_grain_state FOR EACH ROW EXECUTE FUNCTION refuse_poison();
            SELECT 1
            """);
        var states = Enumerable.Range(0, 300).Select(i => new GrainState<ProbeState>(new ProbeState { Text = $"t{i}" })).ToArray();
        // Hold every write worker on a row lock, so that the poison and the writes after it queue up and go together.
        var blockers = Enumerable.Range(0, PostgresGrainStorage.WriteWorkers).Select(i => new GrainState<ProbeState>(new ProbeState { Text = $"b{i}" })).ToArray();
        await Task.WhenAll(blockers.Select((b, i) => storage.WriteStateAsync(StateName, GrainId.Create("probe", $"acme/blocker-{i}"), b)));
        await using var locker = new Npgsql.NpgsqlConnection(database);
        await locker.OpenAsync();
        await using var lockTransaction = await locker.BeginTransactionAsync();
        await using (var lockRows = new Npgsql.NpgsqlCommand("SELECT 1 FROM channel_grain_state WHERE grain_id LIKE 'probe/acme/blocker-%' FOR UPDATE", locker, lockTransaction))
            await lockRows.ExecuteNonQueryAsync();
        // One at a time, or the idle workers would take them as one batch.
        const string waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%channel_grain_state%'";
        var blocked = new List<Task>();
        for (var i = 0; i < blockers.Length; i++)
        {
            blocked.Add(storage.WriteStateAsync(StateName, GrainId.Create("probe", $"acme/blocker-{i}"), blockers[i]));
            var expected = i + 1;
            await Eventually.TrueAsync(async () => await Sql.ScalarAsync<long>(database, waiting) == expected, TimeSpan.FromSeconds(10),
                async () => $"{await Sql.ScalarAsync<long>(database, waiting)} write workers wait on the lock, not {expected}");
        }

        var poison = storage.WriteStateAsync(StateName, GrainId.Create("probe", "acme/poison"), new GrainState<ProbeState>(new ProbeState { Text = "x" }));
        var pending = states.Select(async (state, i) =>
        {
            try { await storage.WriteStateAsync(StateName, Grain(i), state); return true; }
            catch (Npgsql.PostgresException) { return false; }
        }).ToArray();
        await lockTransaction.CommitAsync();
        await Task.WhenAll(blocked);
        var outcomes = await Task.WhenAll(pending);

        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => poison);
        var stored = (await Sql.ColumnAsync(database, "SELECT grain_id FROM channel_grain_state")).ToHashSet();
        Assert.DoesNotContain("probe/acme/poison", stored);
        for (var i = 0; i < states.Length; i++)
        {
            // Acknowledged means stored; refused means not stored and no version handed out.
            Assert.Equal(outcomes[i], stored.Contains(Grain(i).ToString()));
            Assert.Equal(outcomes[i] ? "1" : null, states[i].ETag);
        }
        Assert.Contains(false, outcomes); // the poison's batch mates were refused with it
    }

    [Fact]
    public async Task State_written_as_json_before_the_binary_format_is_still_read()
    {
        await using var silo = await ChannelSilo.StartAsync(null, "legacy-json");
        var serializer = silo.Services.GetRequiredService<IGrainStorageSerializer>();
        var legacy = BinaryData.FromObjectAsJson(new ProbeState { Text = "old", Saves = 3 }, new JsonSerializerOptions());

        Assert.Equal(new ProbeState { Text = "old", Saves = 3 }, serializer.Deserialize<ProbeState>(legacy));
        Assert.Equal(ChannelStateSerializer.BinaryMark, serializer.Serialize(new ProbeState()).ToMemory().Span[0]);
    }

    private static GrainId Grain(int i) => GrainId.Create("probe", i < 0 ? "acme/contested" : $"acme/g-{i}");

    private static async Task<string> TextAsync(IGrainStorage storage, GrainId grain)
    {
        var read = new GrainState<ProbeState>();
        await storage.ReadStateAsync(StateName, grain, read);
        return read.State!.Text;
    }

    private static PostgresGrainStorage StorageOf(ChannelSilo silo) =>
        Assert.IsType<PostgresGrainStorage>(silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel));
}
