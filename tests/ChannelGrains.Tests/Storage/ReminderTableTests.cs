using ChannelGrains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ChannelGrains.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class ReminderTableTests(PostgresServer postgres)
{
    [Fact]
    public async Task Registered_reminders_are_stored_read_back_and_removed_on_unregister()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "reminders");
        var grain = silo.Grains.GetGrain<IReminderProbeGrain>("acme/order-1");

        await grain.RegisterAsync("retry-reservation");
        await grain.RegisterAsync("expire");
        Assert.Equal(["expire", "retry-reservation"], await grain.NamesAsync());
        Assert.Equal(2L, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM orleans_reminder"));

        await grain.UnregisterAsync("expire");

        Assert.Equal(["retry-reservation"], await grain.NamesAsync());
        Assert.Equal(["retry-reservation"], await Sql.ColumnAsync(database, "SELECT reminder_name FROM orleans_reminder"));
    }

    [Fact]
    public async Task Reminders_survive_a_silo_restart()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using (var first = await ChannelSilo.StartAsync(database, "reminders-restart"))
            await first.Grains.GetGrain<IReminderProbeGrain>("acme/order-2").RegisterAsync("retry-reservation");

        await using var second = await ChannelSilo.StartAsync(database, "reminders-restart");

        Assert.Equal(["retry-reservation"], await second.Grains.GetGrain<IReminderProbeGrain>("acme/order-2").NamesAsync());
    }

    // Ring ranges (begin, end] chosen so that both query keys are used: Orleans picks ReadRangeRows1Key when
    // (int)begin < (int)end, and the last two ranges wrap in signed terms while not wrapping as unsigned ones.
    [Theory]
    [InlineData(0x1000_0000u, 0x6000_0000u)]
    [InlineData(0x9000_0000u, 0xF000_0000u)]
    [InlineData(0x6000_0000u, 0x1000_0000u)]
    [InlineData(0x1000_0000u, 0x9000_0000u)]
    public async Task A_silo_reads_exactly_the_reminders_whose_grain_hash_falls_in_its_ring_range(uint begin, uint end)
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "ring");
        var table = silo.Services.GetRequiredService<IReminderTable>();
        var entries = Enumerable.Range(0, 64).Select(i => Reminder($"acme/ring-{i}")).ToArray();
        foreach (var entry in entries)
            await table.UpsertRow(entry);

        var read = await table.ReadRows(begin, end);

        var expected = entries.Where(e => InRing(e.GrainId.GetUniformHashCode(), begin, end)).Select(e => e.GrainId.ToString()).Order().ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, read.Reminders.Select(r => r.GrainId.ToString()).Order());
    }

    [Fact]
    public async Task Removing_a_reminder_with_a_stale_etag_fails_and_keeps_it()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "stale-reminder");
        var table = silo.Services.GetRequiredService<IReminderTable>();
        var reminder = Reminder("acme/order-3");
        var staleEtag = await table.UpsertRow(reminder);
        var currentEtag = await table.UpsertRow(reminder);

        Assert.False(await table.RemoveRow(reminder.GrainId, reminder.ReminderName, staleEtag!));
        Assert.NotNull(await table.ReadRow(reminder.GrainId, reminder.ReminderName));
        Assert.True(await table.RemoveRow(reminder.GrainId, reminder.ReminderName, currentEtag!));
        Assert.Null(await table.ReadRow(reminder.GrainId, reminder.ReminderName));
    }

    private static ReminderEntry Reminder(string grainKey) => new()
    {
        GrainId = GrainId.Create("reminder-probe", grainKey),
        ReminderName = "retry-reservation",
        StartAt = DateTime.UtcNow.AddMinutes(10),
        Period = TimeSpan.FromMinutes(10),
    };

    private static bool InRing(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
}
