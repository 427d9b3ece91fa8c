using ChannelGrains.Common;
using ChannelGrains.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace ChannelGrains.Tests.Storage;

/// <summary>
/// The embedded mode's channel store keeps states in the process: the same contract as the PostgreSQL store
/// (versions as ETags, a stale write fails and changes nothing), shared by every silo of one service in the process.
/// </summary>
public sealed class ProcessMemoryStorageTests
{
    private const string StateName = "probe";

    [Fact]
    public async Task Writes_and_clears_go_from_version_to_version_and_a_stale_one_fails_and_changes_nothing()
    {
        await using var silo = await ChannelSilo.StartAsync(connectionString: null, "memory-versions");
        var storage = Assert.IsType<ProcessMemoryGrainStorage>(silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel));
        var grain = Grain("versions");
        var state = new GrainState<ProbeState>(new ProbeState { Text = "v1" });

        await storage.WriteStateAsync(StateName, grain, state);
        var stale = state.ETag;
        state.State = new ProbeState { Text = "v2" };
        await storage.WriteStateAsync(StateName, grain, state);

        Assert.Equal(("1", "2"), (stale, state.ETag));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, new GrainState<ProbeState>(new ProbeState { Text = "stale" }) { ETag = stale }));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, new GrainState<ProbeState>(new ProbeState { Text = "new" })));
        Assert.Equal(("v2", "2", true), await ReadAsync(storage, grain));

        await storage.ClearStateAsync(StateName, grain, state);
        Assert.Equal(("", "3", false), await ReadAsync(storage, grain));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, new GrainState<ProbeState>(new ProbeState { Text = "late" }) { ETag = "2" }));
        await storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("4", state.ETag);
    }

    [Fact]
    public async Task Writes_of_one_grain_from_the_same_version_at_once_let_exactly_one_win()
    {
        await using var silo = await ChannelSilo.StartAsync(connectionString: null, "memory-race");
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel);
        var grain = Grain("race");
        var first = new GrainState<ProbeState>(new ProbeState { Text = "v1" });
        await storage.WriteStateAsync(StateName, grain, first);

        for (var round = 0; round < 50; round++)
        {
            var etag = (await ReadAsync(storage, grain)).ETag;
            var attempts = Enumerable.Range(0, 8).Select(i => new GrainState<ProbeState>(new ProbeState { Text = $"r{round}w{i}" }) { ETag = etag }).ToArray();
            var outcomes = await Task.WhenAll(attempts.Select(a => Task.Run(async () =>
            {
                try { await storage.WriteStateAsync(StateName, grain, a); return true; }
                catch (InconsistentStateException) { return false; }
            })));

            var winner = Assert.Single(attempts.Where((_, i) => outcomes[i]));
            Assert.Equal((winner.State!.Text, winner.ETag, true), await ReadAsync(storage, grain));
        }
    }

    [Fact]
    public async Task What_a_grain_changes_after_a_write_is_not_stored_until_it_writes_again()
    {
        await using var silo = await ChannelSilo.StartAsync(connectionString: null, "memory-isolation");
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel);
        var grain = Grain("isolation");
        var state = new GrainState<MutableProbe>(new MutableProbe { Items = ["written"] });
        await storage.WriteStateAsync(StateName, grain, state);

        state.State!.Items.Add("not written");

        var read = new GrainState<MutableProbe>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(["written"], read.State!.Items);
    }

    [Fact]
    public async Task A_state_that_grows_or_shrinks_reads_back_exactly_as_last_written()
    {
        // A row reuses its buffer when the new bytes fit: what is read must be the last state, not what is left of a longer one.
        await using var silo = await ChannelSilo.StartAsync(connectionString: null, "memory-sizes");
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel);
        var grain = Grain("sizes");
        var state = new GrainState<MutableProbe>(new MutableProbe());
        // Shrinking by an item or a few writes into the same buffer; shrinking to a fraction or growing replaces it.
        foreach (var count in new[] { 400, 399, 380, 3, 399, 0, 5_000, 4_990, 1, 40, 41, 40 })
        {
            state.State = new MutableProbe { Items = [.. Enumerable.Range(0, count).Select(i => $"item {i:D5}")] };
            await storage.WriteStateAsync(StateName, grain, state);

            var read = new GrainState<MutableProbe>();
            await storage.ReadStateAsync(StateName, grain, read);
            Assert.Equal(state.State.Items, read.State!.Items);
            Assert.Equal(state.ETag, read.ETag);
        }
    }

    [Fact]
    public async Task A_read_while_the_state_is_rewritten_gets_one_whole_written_state()
    {
        await using var silo = await ChannelSilo.StartAsync(connectionString: null, "memory-torn");
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel);
        var grain = Grain("torn");
        var state = new GrainState<MutableProbe>(new MutableProbe());

        var reads = 0;
        var writer = Task.Run(async () =>
        {
            // Until both readers had their chance, however busy the machine: at least 2,000 writes and 400 reads.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            for (var round = 0; round < 2_000 || (Volatile.Read(ref reads) < 400 && DateTime.UtcNow < deadline); round++)
            {
                // States of nearly one size in turn (each written over the last in the row's buffer), each a list of
                // one repeated item: a torn read would mix two of them.
                var count = round % 2 == 0 ? 300 : 290;
                state.State = new MutableProbe { Items = [.. Enumerable.Repeat($"round {round:D5}", count)] };
                await storage.WriteStateAsync(StateName, grain, state);
            }
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!writer.IsCompleted)
            {
                var read = new GrainState<MutableProbe>();
                await storage.ReadStateAsync(StateName, grain, read);
                if (read.State!.Items.Count == 0) continue; // not written yet
                var round = int.Parse(read.State.Items[0]["round ".Length..]);
                Assert.Equal(round % 2 == 0 ? 300 : 290, read.State.Items.Count);
                Assert.All(read.State.Items, item => Assert.Equal($"round {round:D5}", item));
                Assert.Equal((round + 1).ToString(), read.ETag);
                Interlocked.Increment(ref reads);
            }
        })).ToArray();

        await writer;
        await Task.WhenAll(readers);
        Assert.True(reads >= 400, $"only {reads} reads ran while the state was rewritten");
    }

    [Fact]
    public async Task The_silos_of_one_service_share_its_states_until_the_last_one_stops()
    {
        await using var silo = await ChannelSilo.StartAsync(connectionString: null, "memory-shared");
        var serializer = silo.Services.GetRequiredService<IGrainStorageSerializer>();
        var activators = silo.Services.GetRequiredService<IActivatorProvider>();
        ProcessMemoryGrainStorage Store(string service) => new(StorageNames.Channel, service, serializer, activators);
        var grain = Grain("shared");
        using var one = Store("service-a");
        using var other = Store("service-a");
        using var elsewhere = Store("service-b");

        await one.WriteStateAsync(StateName, grain, new GrainState<ProbeState>(new ProbeState { Text = "kept" }));

        Assert.Equal(("kept", "1", true), await ReadAsync(other, grain));
        Assert.Equal(("", null, false), await ReadAsync(elsewhere, grain));
        one.Dispose();
        Assert.Equal(("kept", "1", true), await ReadAsync(other, grain)); // a silo stopped: the others keep the states
        other.Dispose();
        using var later = Store("service-a");
        Assert.Equal(0, later.Count); // the last one stopped: nothing is held for the service any more
    }

    /// <summary>
    /// A grain's state holds its row from one write to the next (DirectPersistentState): a write through the held row
    /// keeps the contract, so a stale one still fails and changes nothing, also after another writer cleared the state.
    /// </summary>
    [Fact]
    public async Task A_write_through_the_row_its_writer_holds_fails_when_stale_as_any_other()
    {
        await using var silo = await ChannelSilo.StartAsync(connectionString: null, "memory-held-row");
        var storage = Assert.IsType<ProcessMemoryGrainStorage>(silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Channel));
        var grain = Grain("held");
        object? held = null;
        var mine = new GrainState<ProbeState>(new ProbeState { Text = "v1" });
        storage.WriteState(StateName, grain, mine, ref held);
        var other = new GrainState<ProbeState>(new ProbeState { Text = "other" }) { ETag = mine.ETag }; // another activation, at version 1

        await storage.WriteStateAsync(StateName, grain, other);
        mine.State = new ProbeState { Text = "mine" };

        Assert.NotNull(held);
        Assert.Throws<InconsistentStateException>(() => storage.WriteState(StateName, grain, mine, ref held));
        Assert.Equal(("other", "2", true), await ReadAsync(storage, grain));
        await storage.ClearStateAsync(StateName, grain, other);
        Assert.Throws<InconsistentStateException>(() => storage.WriteState(StateName, grain, mine, ref held));
        Assert.Equal(("", "3", false), await ReadAsync(storage, grain));
        mine.ETag = other.ETag;
        storage.WriteState(StateName, grain, mine, ref held);
        Assert.Equal(("mine", "4", true), await ReadAsync(storage, grain));
    }

    private static GrainId Grain(string key) => GrainId.Create("probe", $"acme/{key}");

    private static async Task<(string Text, string? ETag, bool Exists)> ReadAsync(IGrainStorage storage, GrainId grain)
    {
        var read = new GrainState<ProbeState>();
        await storage.ReadStateAsync(StateName, grain, read);
        return (read.State!.Text, read.ETag, read.RecordExists);
    }
}

[GenerateSerializer, Alias("ChannelGrains.Tests.Storage.MutableProbe")]
public sealed class MutableProbe
{
    [Id(0)] public List<string> Items { get; set; } = [];
}
