using ChannelGrains.Analytics;
using ChannelGrains.Common;
using ChannelGrains.Partners;

namespace ChannelGrains.Tests.Analytics;

/// <summary>
/// Synthetic sources for pipeline tests: a region tree, a randomized history of contributions (updates, moves between
/// regions, several months), and the sums every aggregate must end at, computed here independently of the pipeline.
/// </summary>
public sealed class Synthetic
{
    public static readonly string[] Regions =
    [
        "CN", "CN/East", "CN/East/Shanghai", "CN/East/Shanghai/Pudong", "CN/East/Shanghai/Minhang", "CN/East/Hangzhou",
        "CN/North", "CN/North/Beijing", "CN/North/Tianjin", "CN/South", "CN/South/Guangzhou", "CN/South/Shenzhen",
    ];

    public static readonly string[] Months = ["2026-02", "2026-10", "2026-11", "2026-12"];

    public static readonly string[] Periods = [.. Months, "2026-Q1", "2026-Q4", "2026"];

    private static readonly string[] Skus = ["P1", "P2", "P3", "P4", "P5"];

    private readonly Random random;
    private readonly Dictionary<string, long> versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> regionOf = new(StringComparer.Ordinal);

    public Synthetic(string tenant, int seed)
    {
        Tenant = tenant;
        random = new Random(seed);
    }

    public string Tenant { get; }

    /// <summary>Every contribution published so far, in publishing order.</summary>
    public List<Contribution> History { get; } = [];

    /// <summary>The newest contribution per source and month: what the aggregates must sum.</summary>
    public Dictionary<(string Source, string Month), Contribution> Latest { get; } = [];

    /// <summary>
    /// <paramref name="updates"/> random changes from <paramref name="sources"/> dealers; about one change in ten moves
    /// the dealer to another region for that month.
    /// </summary>
    public IReadOnlyList<Contribution> Burst(int sources, int updates)
    {
        var burst = new List<Contribution>(updates);
        for (var i = 0; i < updates; i++)
        {
            var dealer = $"D{random.Next(sources):000}";
            var source = ChannelGrains.Analytics.Contribution.DealerSource(dealer);
            if (!regionOf.TryGetValue(source, out var region) || random.Next(10) == 0) regionOf[source] = region = Regions[random.Next(Regions.Length)];
            var month = Months[random.Next(Months.Length)];
            burst.Add(Record(Contribution(source, region, month, (DealerTier)(int.Parse(dealer[1..]) % 3))));
        }
        return burst;
    }

    /// <summary>A change of one source in one month, with the next version of that source.</summary>
    public Contribution Record(Contribution contribution)
    {
        var version = versions[contribution.SourceId] = versions.GetValueOrDefault(contribution.SourceId) + 1;
        var versioned = contribution with { Version = version };
        History.Add(versioned);
        Latest[(versioned.SourceId, versioned.Month)] = versioned;
        return versioned;
    }

    public Contribution Contribution(string source, string region, string month, DealerTier? tier)
    {
        var skus = Skus.Where(_ => random.Next(2) == 0).Select(sku => new SkuFigures(sku, random.Next(0, 50), random.Next(0, 5000),
            random.Next(0, 40), random.Next(0, 4000), random.Next(0, 100))).ToArray();
        return new Contribution(Tenant, source, 0, region, tier, month, new ChannelFigures
        {
            OrderCount = random.Next(0, 20),
            OrderValue = skus.Sum(s => s.OrderValue),
            SellOutValue = skus.Sum(s => s.SellOutValue) + random.Next(0, 100) / 100m,
            ChannelStockUnits = skus.Sum(s => s.StockUnits),
            QuotaTarget = random.Next(0, 10_000),
            QuotaAchieved = random.Next(0, 10_000),
            CrossRegionAlerts = random.Next(0, 3),
        }, skus);
    }

    /// <summary>What <paramref name="region"/> in <paramref name="period"/> must show, computed from <see cref="Latest"/> directly.</summary>
    public ChannelFigures Expected(string region, string period)
    {
        var months = Period.Parse(period).Months().Select(m => m.ToString()).ToHashSet(StringComparer.Ordinal);
        var inScope = Latest.Values.Where(c => months.Contains(c.Month) && RegionPath.IsWithin(c.Region, region)).ToList();
        var lastMonth = inScope.Select(c => c.Month).DefaultIfEmpty("").Max(StringComparer.Ordinal);
        return new ChannelFigures
        {
            OrderCount = inScope.Sum(c => c.Figures.OrderCount),
            OrderValue = inScope.Sum(c => c.Figures.OrderValue),
            SellOutValue = inScope.Sum(c => c.Figures.SellOutValue),
            ChannelStockUnits = inScope.Where(c => c.Month == lastMonth).Sum(c => c.Figures.ChannelStockUnits),
            QuotaTarget = inScope.Sum(c => c.Figures.QuotaTarget),
            QuotaAchieved = inScope.Sum(c => c.Figures.QuotaAchieved),
            CrossRegionAlerts = inScope.Sum(c => c.Figures.CrossRegionAlerts),
        };
    }

    /// <summary>Publishes in parallel batches, as many sources on many silos would.</summary>
    public static async Task PublishAsync(IGrainFactory grains, IReadOnlyList<Contribution> contributions, int batch = 25) =>
        await Task.WhenAll(contributions.Chunk(batch).Select(chunk => ContributionPublisher.PublishAsync(grains, chunk)));

    /// <summary>Every region of the tree in every period, each summary against <see cref="Expected"/>; empty when all match.</summary>
    public async Task<List<string>> MismatchesAsync(IGrainFactory grains)
    {
        var checks = Regions.SelectMany(region => Periods.Select(period => (region, period))).Select(async node =>
        {
            var expected = Expected(node.region, node.period);
            try
            {
                var actual = await grains.GetGrain<IChannelAggregateGrain>(AnalyticsKeys.Aggregate(Tenant, Period.Parse(node.period), node.region)).GetSummaryAsync();
                return actual.Figures == expected ? null : $"{node.region} {node.period}: expected {expected}, got {actual.Figures}";
            }
            catch (Exception exception) when (exception is not Xunit.Sdk.XunitException)
            {
                // A grain on a silo that has just died is unreachable until the cluster declares the silo dead.
                return $"{node.region} {node.period}: unreachable ({exception.GetType().Name})";
            }
        });
        return (await Task.WhenAll(checks)).OfType<string>().ToList();
    }

    /// <summary>Polls until every aggregate equals its expected sums, or fails with what still differs.</summary>
    public async Task AssertEventuallyExactAsync(IGrainFactory grains, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var mismatches = await MismatchesAsync(grains);
            if (mismatches.Count == 0) return;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{mismatches.Count} aggregates still differ from the sums of their sources:\n" + string.Join("\n", mismatches.Take(10)));
            await Task.Delay(100);
        }
    }

    /// <summary>The heal: every source re-publishes its current contribution of every month.</summary>
    public IReadOnlyList<Contribution> Heal() => Latest.Values.ToArray();
}

/// <summary>Delivers events the way a lossy stream would: some twice, some never, in a shuffled order.</summary>
public sealed class FaultyDelivery(int seed, double duplicate, double drop)
{
    private readonly Random random = new(seed);

    public int Dropped { get; private set; }

    public IReadOnlyList<Contribution> Apply(IReadOnlyList<Contribution> events)
    {
        var delivered = new List<Contribution>();
        foreach (var e in events)
        {
            if (random.NextDouble() < drop)
            {
                Dropped++;
                continue;
            }
            delivered.Add(e);
            if (random.NextDouble() < duplicate) delivered.Add(e);
        }
        return delivered.OrderBy(_ => random.Next()).ToArray();
    }
}
