using ChannelGrains.Api.Auth;
using ChannelGrains.Common;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Api.Demo;

/// <summary>
/// <c>--demo</c>: once the Api listens, seeds the demo channel (unless the cluster already holds it, e.g. a durable
/// restart), prints links that open the dashboard signed in, then runs the live traffic until the Api stops.
/// </summary>
public sealed class DemoService(
    IGrainFactory grains,
    IOptions<DemoOptions> demoOptions,
    AuthOptions authOptions,
    IHostApplicationLifetime lifetime,
    IServer server,
    TimeProvider clock,
    DemoLogGate logGate,
    ILogger<DemoService> logger) : BackgroundService
{
    public const string SeedStep = "demo-seed";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = demoOptions.Value;
        try
        {
            await StartedAsync(stoppingToken);
            var channel = DemoChannel.Generate(options);
            var operations = new DemoOperations(grains, channel, options.Tenant, clock);
            var seed = grains.GetGrain<ISetupStepGrain>(Keys.Of(options.Tenant, SeedStep));
            if (await seed.GetCompletedAsync() is { } seededAt)
            {
                Console.WriteLine($"Demo: tenant '{options.Tenant}' already holds the demo channel (seeded {seededAt:u}); starting the live traffic.");
            }
            else
            {
                var progress = ConsoleProgress.ForConsole("Seeding demo");
                using (logGate.Seeding())
                    await new DemoSeeder(grains, options, channel, operations, clock).SeedAsync(progress, stoppingToken);
                await seed.CompleteAsync();
                progress.Finish($"seeded in {progress.Elapsed.TotalSeconds:F1} s: {channel.Dealers.Count:N0} dealers, {channel.Stores.Count:N0} stores, "
                    + $"{channel.Products.Count:N0} SKUs, {channel.Reps.Count:N0} reps, {channel.Agents.Count:N0} agents, {DemoChannel.HistoryMonths} months of history.");
            }
            PrintLinks(options, channel);
            await new DemoTraffic(channel, operations, options, logger).RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            // The Api keeps serving; the demo is what failed.
            logger.LogError(exception, "The demo failed; the Api keeps running without it");
        }
    }

    private void PrintLinks(DemoOptions options, DemoChannel channel)
    {
        var key = SigningKeys.Resolve(authOptions, allowDevelopmentKey: true);
        var manager = channel.Dealers[0].City.BigRegionPath;
        var admin = TokenService.Issue(authOptions, key, options.Tenant, Role.Admin, "admin", ChinaRegions.Root, TimeSpan.FromHours(12));
        var managerToken = TokenService.Issue(authOptions, key, options.Tenant, Role.Manager, "demo-manager", manager, TimeSpan.FromHours(12));
        var page = PageAddress();
        Console.WriteLine();
        Console.WriteLine($"Demo ready, live traffic at {options.Rate:0.#} operations/s. Open the dashboard (tokens valid 12 h):");
        Console.WriteLine($"  ADMIN, all of {ChinaRegions.Root}:  {page}?token={admin}");
        Console.WriteLine($"  MANAGER of {manager}: {page}?token={managerToken}");
        Console.WriteLine();
        Console.Out.Flush();
    }

    /// <summary>Where the Api listens, as a browser on this machine opens it.</summary>
    private string PageAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5080";
        foreach (var wildcard in new[] { "://0.0.0.0:", "://[::]:", "://+:", "://*:" })
            address = address.Replace(wildcard, "://localhost:", StringComparison.Ordinal);
        return address.TrimEnd('/') + "/";
    }

    private Task StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }
}
