namespace ChannelGrains.Silo.Storage;

/// <summary>Applies the versioned SQL migrations in Storage/Migrations. (To be written: see Storage/README.md.)</summary>
public sealed class SchemaMigrator(string connectionString)
{
    public string ConnectionString { get; } = connectionString;

    public Task MigrateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
}

/// <summary>Runs the migrations before the silo starts, so an empty database works with no manual step.</summary>
public sealed class SchemaMigrationService(string connectionString) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => new SchemaMigrator(connectionString).MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
