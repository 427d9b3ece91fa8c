using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace ChannelGrains.Tests.Hosting;

/// <summary>The grains' services as a silo registers them, with one setting and, optionally, Orleans' minimum reminder period.</summary>
internal static class GrainServicesWith
{
    public static ServiceProvider Setting((string Key, string Value) setting, string? minimumReminderPeriod)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new KeyValuePair<string, string?>(setting.Key, setting.Value)]).Build();
        var collection = new ServiceCollection();
        collection.AddOptions<ReminderOptions>();
        if (minimumReminderPeriod is not null) collection.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.Parse(minimumReminderPeriod));
        collection.AddChannelGrainServices(configuration);
        return collection.BuildServiceProvider();
    }
}
