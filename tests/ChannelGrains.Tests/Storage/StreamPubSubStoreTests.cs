using System.Diagnostics;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class StreamPubSubStoreTests(PostgresServer postgres)
{
    [Fact]
    public async Task Stream_subscriptions_are_stored_in_the_pubsub_store_and_deliver_events()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await ChannelSilo.StartAsync(database, "pubsub");
        var subscriber = silo.Grains.GetGrain<IStreamProbeGrain>("subscriber");
        await subscriber.SubscribeAsync("acme/dealer-1");

        await silo.Grains.GetGrain<IStreamProbeGrain>("publisher").PublishAsync("acme/dealer-1", "changed");

        await WaitUntilReceivedAsync(subscriber, "changed");
        Assert.True(await Sql.ScalarAsync<bool>(database,
            $"SELECT bool_and(get_byte(payload, 0) = {ChannelGrains.Silo.Storage.ChannelStateSerializer.BinaryMark}) AND count(*) > 0 " +
            "FROM orleans_grain_state WHERE grain_type LIKE '%PubSubRendezvousGrain%'"));
    }

    internal static async Task WaitUntilReceivedAsync(IStreamProbeGrain subscriber, string item)
    {
        var waited = Stopwatch.StartNew();
        while (!(await subscriber.ReceivedAsync()).Contains(item))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"'{item}' did not arrive within 10 s.");
            await Task.Delay(50);
        }
    }
}
