using System.Net;
using ChannelGrains.Common;
using ChannelGrains.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.Serialization.Serializers;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Silo.Hosting;

/// <summary>One place that configures a ChannelGrains silo, whether the Api embeds it or <c>src/Silo</c> runs it alone.</summary>
public static class SiloSetup
{
    /// <summary>
    /// With a <c>ConnectionStrings:Channel</c> PostgreSQL database: grain state, PubSub, reminders and (unless
    /// <paramref name="localhostClustering"/>) membership in PostgreSQL. Without one: memory storage, localhost clustering.
    /// </summary>
    public static ISiloBuilder UseChannelSilo(this ISiloBuilder silo, IConfiguration configuration, bool localhostClustering)
    {
        var options = configuration.GetSection(ChannelClusterOptions.Section).Get<ChannelClusterOptions>() ?? new();
        var connectionString = configuration.GetConnectionString(ChannelClusterOptions.ConnectionStringName);
        var durable = !string.IsNullOrWhiteSpace(connectionString);

        silo.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });

        silo.Configure<GrainDirectoryOptions>(directory => directory.CacheSize = options.DirectoryCacheSize);
        silo.AddChannelProviders(connectionString, configuration);

        if (localhostClustering || !durable)
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        }
        else
        {
            silo.UseAdoNetClustering(clustering =>
            {
                clustering.Invariant = PostgresInvariant;
                clustering.ConnectionString = connectionString;
            });
            // In a container the address is not known in advance: "0.0.0.0" (or empty) advertises this host's own address.
            if (string.IsNullOrWhiteSpace(options.AdvertisedIp) || options.AdvertisedIp == IPAddress.Any.ToString())
                silo.ConfigureEndpoints(options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
            else
                silo.ConfigureEndpoints(IPAddress.Parse(options.AdvertisedIp), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
        }

        return silo;
    }

    /// <summary>
    /// Storage, reminders and streams, without clustering (so that a test cluster, which brings its own membership,
    /// runs the same providers): PostgreSQL when <paramref name="connectionString"/> is set, memory otherwise.
    /// </summary>
    public static ISiloBuilder AddChannelProviders(this ISiloBuilder silo, string? connectionString, IConfiguration? configuration = null)
    {
        silo.Services.AddChannelGrainServices(configuration);
        CachedGrainInterfaceTypes.AddTo(silo.Services);
        var durable = !string.IsNullOrWhiteSpace(connectionString);
        if (durable)
        {
            silo.Services.AddSingleton(sp => new SchemaMigrator(connectionString!, sp.GetService<ILogger<SchemaMigrator>>()));
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SchemaMigrationStartup>();
            // The channel store takes every mutation's writes: group commit (one statement and commit for the writes
            // of many grains). The PubSub store is small and rarely written: the ADO.NET provider.
            silo.Services.AddGrainStorage(StorageNames.Channel, (services, name) => new PostgresGrainStorage(
                name, services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, connectionString!,
                services.GetRequiredService<IGrainStorageSerializer>(), services.GetRequiredService<IActivatorProvider>(),
                services.GetRequiredService<ILogger<PostgresGrainStorage>>()));
            silo.AddAdoNetGrainStorage(StorageNames.PubSub, storage => ConfigureStorage(storage, connectionString!));
            silo.UseAdoNetReminderService(reminders =>
            {
                reminders.Invariant = PostgresInvariant;
                reminders.ConnectionString = connectionString;
            });
        }
        else
        {
            silo.Services.AddGrainStorage(StorageNames.Channel, ProcessMemoryGrainStorage.Create);
            silo.AddMemoryGrainStorage(StorageNames.PubSub);
            silo.UseInMemoryReminderService();
        }

        // One state format in every mode (Orleans binary; see ChannelStateSerializer): memory storage serializes too,
        // so a state type that does not round-trip fails in development, not first in production.
        silo.Services.AddSingleton<IGrainStorageSerializer, ChannelStateSerializer>();
        // The channel store's states call it in the grain's own turn (see DirectPersistentState).
        silo.Services.AddSingleton<IPersistentStateFactory, ChannelPersistentStateFactory>();
        // Change events feed live subscriptions: poll the queues every 20 ms rather than the default 100 ms, and hand
        // a consumer up to 100 waiting events per delivery. An agent delivers to a consumer one call at a time; with
        // one event per call, a national summary published every 20–100 ms queued up behind calls that took as long
        // on a busy silo, and subscribers fell seconds behind.
        silo.AddMemoryStreams(StreamNames.Provider, streams => streams.ConfigurePullingAgent(agent =>
            agent.Configure(options =>
            {
                options.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(20);
                options.BatchContainerBatchSize = 100;
            })));
        return silo;
    }

    /// <summary>The Api as a client of silos that registered themselves in PostgreSQL.</summary>
    public static IClientBuilder UseChannelClient(this IClientBuilder client, IConfiguration configuration)
    {
        var options = configuration.GetSection(ChannelClusterOptions.Section).Get<ChannelClusterOptions>() ?? new();
        var connectionString = configuration.GetConnectionString(ChannelClusterOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("Orleans:Mode=Client needs ConnectionStrings:Channel, the PostgreSQL database the silos register in.");
        client.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });
        client.UseAdoNetClustering(clustering =>
        {
            clustering.Invariant = PostgresInvariant;
            clustering.ConnectionString = connectionString;
        });
        client.AddMemoryStreams(StreamNames.Provider);
        CachedGrainInterfaceTypes.AddTo(client.Services);
        return client;
    }

    public const string PostgresInvariant = "Npgsql";

    private static void ConfigureStorage(Orleans.Configuration.AdoNetGrainStorageOptions storage, string connectionString)
    {
        storage.Invariant = PostgresInvariant;
        storage.ConnectionString = connectionString;
    }
}
