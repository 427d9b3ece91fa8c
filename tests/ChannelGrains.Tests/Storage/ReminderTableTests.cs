using ChannelGrains.Tests.Infrastructure;

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
}
