using Orleans.Runtime;

namespace ChannelGrains.Silo.Storage;

/// <summary>
/// Runs the schema migrations at the silo's first lifecycle stage, so they finish before membership
/// (RuntimeInitialize), reminders and grain storage (ApplicationServices) read their queries from OrleansQuery.
/// A hosted service would not do: the silo is itself a hosted service and may start first.
/// </summary>
internal sealed class SchemaMigrationStartup(SchemaMigrator migrator) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaMigrationStartup), ServiceLifecycleStage.First, async cancellationToken => await migrator.MigrateAsync(cancellationToken));
}
