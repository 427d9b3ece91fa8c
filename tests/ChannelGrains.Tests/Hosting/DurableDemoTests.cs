using System.Globalization;
using ChannelGrains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ChannelGrains.Tests.Hosting;

/// <summary>The demo on PostgreSQL: killed after seeding and started again, it keeps its channel and does not seed again.</summary>
[Collection(HeavyProcessCollection.Name)]
public sealed class DurableDemoTests(PostgresServer postgres, ITestOutputHelper output)
{
    private static readonly string[] SmallDemo =
        ["--demo", "--demo-rate", "10", "--demo-dealers", "20", "--demo-stores", "60", "--demo-skus", "10", "--demo-reps", "2", "--demo-agents", "2",
            "--demo-month-to-date-orders", "20", "--demo-month-to-date-sell-outs", "10"];

    private const string Ready = "Demo ready";
    private const string History = "query($period: String!) { channelSummary(region: \"CN\", period: $period) { orderCount orderValue sellOutValue } }";

    [Fact]
    public async Task A_durable_demo_killed_and_started_again_keeps_its_channel_and_its_history_and_does_not_seed_again()
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Channel"] = await postgres.CreateDatabaseAsync(),
            ["Auth__SigningKey"] = ApiClient.TestSigningKey,
        };
        var token = ApiClient.Token(Callers.Admin("demo"));
        var now = DateTime.UtcNow;
        var lastMonth = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        string before;

        await using (var first = await AppProcess.StartApiAsync(environment, SmallDemo))
        {
            await Eventually.TrueAsync(() => Task.FromResult(first.Output.Contains(Ready, StringComparison.Ordinal)), TimeSpan.FromMinutes(3),
                () => Task.FromResult($"the demo is not ready:\n{first.Output}"));
            Assert.Contains("Seeding demo: 100%", first.Output);
            using var api = new ApiClient(first.BaseAddress, token);
            // Last month is history only: once the aggregates hold all of it, the live traffic no longer changes it.
            before = await SettledAsync(api, lastMonth);
            output.WriteLine($"last month before the kill: {before}");
            // The aggregates store what they hold every 5 s at most (Analytics:PersistInterval): past that, the kill
            // tests what is stored, not how dealers re-publish their months when they wake.
            await Task.Delay(TimeSpan.FromSeconds(7));
            await first.KillAsync();
        }

        await using var second = await AppProcess.StartApiAsync(environment, SmallDemo);
        await Eventually.TrueAsync(() => Task.FromResult(second.Output.Contains(Ready, StringComparison.Ordinal)), TimeSpan.FromMinutes(1),
            () => Task.FromResult($"the restarted demo is not ready:\n{second.Output}"));
        Assert.Contains("already holds the demo channel", second.Output);
        Assert.DoesNotContain("Seeding demo", second.Output);
        using var again = new ApiClient(second.BaseAddress, token);
        Assert.Equal(20, (await again.PostAsync("{ dealers(first: 1) { totalCount } }")).Data("dealers").GetProperty("totalCount").GetInt32());
        var after = "";
        await Eventually.TrueAsync(async () => (after = await FiguresAsync(again, lastMonth)) == before, TimeSpan.FromSeconds(60),
            () => Task.FromResult($"last month was {before} before the kill and is {after} after the restart"));
    }

    private static async Task<string> FiguresAsync(ApiClient api, string period)
    {
        var result = await api.PostAsync(History, new { period });
        return result.ErrorCode() is { } error ? $"error {error}" : result.Data("channelSummary").ToString();
    }

    /// <summary>The figures once two reads a second apart agree.</summary>
    private static async Task<string> SettledAsync(ApiClient api, string period)
    {
        var previous = await FiguresAsync(api, period);
        for (var i = 0; i < 60; i++)
        {
            await Task.Delay(1_000);
            var current = await FiguresAsync(api, period);
            if (current == previous && !current.Contains("\"orderCount\":0", StringComparison.Ordinal)) return current;
            previous = current;
        }
        throw new TimeoutException($"last month's figures did not settle: {previous}");
    }
}
