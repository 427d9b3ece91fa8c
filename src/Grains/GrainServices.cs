using ChannelGrains.Analytics;
using ChannelGrains.Approvals;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace ChannelGrains;

public static class GrainServices
{
    /// <summary>What the grains take from DI: the clock, the ordering and analytics options, and where approval decisions go.</summary>
    public static IServiceCollection AddChannelGrainServices(this IServiceCollection services, IConfiguration? configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        var ordering = services.AddOptions<OrderingOptions>()
            .ValidateReminderPeriod(o => o.AuditPeriod, "Ordering:AuditPeriod", "every holder's audit and every cancel's finishing reminder is registered with it")
            .Validate(o => o.AuditReservationsAfter > TimeSpan.Zero && o.RecheckHeldEvery > TimeSpan.Zero && o.ClosedMonthsHeld >= 0,
                "Ordering:AuditReservationsAfter and Ordering:RecheckHeldEvery must be positive, and Ordering:ClosedMonthsHeld at least 0.")
            .ValidateOnStart();
        var analytics = services.AddOptions<AnalyticsOptions>()
            .ValidateReminderPeriod(o => o.HealSweepInterval, "Analytics:HealSweepInterval", "each dealer index bucket registers its heal sweep with it when its first dealer comes")
            .ValidateOnStart();
        if (configuration is not null)
        {
            ordering.Bind(configuration.GetSection(OrderingOptions.Section));
            analytics.Bind(configuration.GetSection(AnalyticsOptions.Section));
        }
        services.TryAddSingleton<IApprovalOutcomes, ApprovalOutcomes>();
        services.TryAddSingleton<TenantSettingsCache>();
        services.TryAddSingleton<Catalog.ProductPrices>();
        services.TryAddSingleton<Partners.DealerHeal>();
        services.TryAddSingleton<ContributionBuffer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<ContributionBuffer>());
        services.TryAddSingleton(provider => new ChangeInterestCache(
            provider.GetRequiredService<IGrainFactory>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<ChangeInterestCache>>()));
        return services;
    }

    /// <summary>
    /// A period registered as an Orleans reminder is refused at start below Orleans' minimum: the silo would start, and
    /// each registration fail later, in whatever call made it.
    /// </summary>
    private static OptionsBuilder<T> ValidateReminderPeriod<T>(this OptionsBuilder<T> options, Func<T, TimeSpan> period, string setting, string use)
        where T : class =>
        options.Validate<IOptions<ReminderOptions>>((o, reminders) => period(o) >= reminders.Value.MinimumReminderPeriod,
            $"{setting} is below Orleans' minimum reminder period (ReminderOptions.MinimumReminderPeriod, 1 minute by default): {use}, and each registration would fail.");
}
