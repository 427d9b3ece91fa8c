using ChannelGrains.Silo.Storage;
using ChannelGrains.Tests.Infrastructure;

namespace ChannelGrains.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class SchemaMigratorTests(PostgresServer postgres)
{
    // The keys the three Orleans ADO.NET providers read from OrleansQuery (their whole contract with the schema).
    private static readonly string[] ProviderQueryKeys =
    [
        // Orleans.Persistence.AdoNet
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey",
        // Orleans.Clustering.AdoNet
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",
        // Orleans.Reminders.AdoNet
        "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "UpsertReminderRowKey",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    [Fact]
    public async Task Migrations_on_an_empty_database_create_every_provider_query_and_record_each_version()
    {
        var database = await postgres.CreateDatabaseAsync();

        var applied = await new SchemaMigrator(database).MigrateAsync();

        Assert.Equal(MigrationCatalog.Embedded.Select(m => m.Version), applied.Select(m => m.Version));
        Assert.Equal(ProviderQueryKeys.Order(), await Sql.ColumnAsync(database, "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\""));
        Assert.Equal(applied.Select(m => m.Version.ToString()), await Sql.ColumnAsync(database, "SELECT version FROM schema_migrations ORDER BY version"));
    }

    [Fact]
    public async Task Running_the_migrations_again_applies_nothing()
    {
        var database = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(database).MigrateAsync();

        var second = await new SchemaMigrator(database).MigrateAsync();

        Assert.Empty(second);
        Assert.Equal(MigrationCatalog.Embedded.Count, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Two_migrators_started_at_once_both_succeed_and_apply_each_migration_once()
    {
        var database = await postgres.CreateDatabaseAsync();

        var both = await Task.WhenAll(
            Task.Run(() => new SchemaMigrator(database).MigrateAsync()),
            Task.Run(() => new SchemaMigrator(database).MigrateAsync()));

        Assert.Equal(MigrationCatalog.Embedded.Select(m => m.Version), both.SelectMany(applied => applied).Select(m => m.Version).Order());
        Assert.Equal(MigrationCatalog.Embedded.Count, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task An_applied_migration_whose_text_changed_is_rejected()
    {
        var database = await postgres.CreateDatabaseAsync();
        await new SchemaMigrator(database).MigrateAsync();
        var edited = MigrationCatalog.Embedded.Select((m, i) => i == 0 ? m with { Sql = m.Sql + "\n-- edited" } : m).ToArray();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new SchemaMigrator(database) { Migrations = edited }.MigrateAsync());

        Assert.Contains(edited[0].Name, error.Message);
    }
}
