using ChannelGrains.Analytics;
using ChannelGrains.Approvals;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace ChannelGrains;

public static class GrainServices
{
    /// <summary>What the grains take from DI: the clock, the ordering and analytics options, and where approval decisions go.</summary>
    public static IServiceCollection AddChannelGrainServices(this IServiceCollection services, IConfiguration? configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        var ordering = services.AddOptions<OrderingOptions>();
        var analytics = services.AddOptions<AnalyticsOptions>();
        if (configuration is not null)
        {
            ordering.Bind(configuration.GetSection(OrderingOptions.Section));
            analytics.Bind(configuration.GetSection(AnalyticsOptions.Section));
        }
        services.TryAddSingleton<IApprovalOutcomes, ApprovalOutcomes>();
        services.TryAddSingleton<TenantSettingsCache>();
        services.TryAddSingleton<Partners.DealerHeal>();
        services.TryAddSingleton<ContributionBuffer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<ContributionBuffer>());
        services.TryAddSingleton(provider => new ChangeInterestCache(
            provider.GetRequiredService<IGrainFactory>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<ChangeInterestCache>>()));
        return services;
    }
}
