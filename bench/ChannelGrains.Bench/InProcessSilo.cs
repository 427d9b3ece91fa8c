using ChannelGrains.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChannelGrains.Bench;

/// <summary>One ChannelGrains silo in the benchmark process (localhost clustering), configured as the Api embeds it:
/// memory storage, or PostgreSQL when a connection string is given.</summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly IHost host;
    private volatile bool stopping;

    private InProcessSilo(IHost host) => this.host = host;

    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => host.Services;

    /// <param name="settings">Configuration entries to set, as <c>Section:Key</c> and value (e.g. a shorter heal period).</param>
    /// <param name="calls">Counts the grain calls the silo receives, when given.</param>
    public static async Task<InProcessSilo> StartAsync(string? connectionString, IReadOnlyDictionary<string, string>? settings = null, GrainCallCounter? calls = null)
    {
        var builder = Host.CreateApplicationBuilder();
        InProcessSilo? silo = null;
        // Warnings while running; nothing while stopping (grains flushing into storage that is already gone).
        builder.Logging.AddFilter((_, level) => level >= LogLevel.Warning && silo?.stopping != true);
        if (connectionString is not null) builder.Configuration["ConnectionStrings:Channel"] = connectionString;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.Configuration[key] = value;
        builder.UseOrleans(orleans =>
        {
            orleans.UseChannelSilo(builder.Configuration, localhostClustering: true);
            if (calls is not null) orleans.Services.AddSingleton<IIncomingGrainCallFilter>(calls);
        });
        silo = new InProcessSilo(builder.Build());
        await silo.host.StartAsync();
        return silo;
    }

    public async ValueTask DisposeAsync()
    {
        stopping = true;
        await host.StopAsync();
        host.Dispose();
    }
}
