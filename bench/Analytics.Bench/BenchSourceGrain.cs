using ChannelGrains.Partners;

namespace ChannelGrains.Analytics.Bench;

/// <summary>A synthetic dealer: each update persists nothing and publishes its new month contribution, as a source must.</summary>
[Alias("ChannelGrains.Analytics.Bench.IBenchSourceGrain")]
public interface IBenchSourceGrain : IGrainWithIntegerKey
{
    [Alias("Run")] Task RunAsync(string tenant, string region, int updates);
}

public sealed class BenchSourceGrain : Grain, IBenchSourceGrain
{
    public const string Month = "2026-11";

    public static readonly string[] Regions =
    [
        "CN/East/Shanghai/Pudong", "CN/East/Shanghai/Minhang", "CN/East/Hangzhou", "CN/East/Nanjing",
        "CN/North/Beijing", "CN/North/Tianjin", "CN/South/Guangzhou", "CN/South/Shenzhen",
        "CN/West/Chengdu", "CN/West/Chongqing", "CN/Central/Wuhan", "CN/Central/Changsha",
    ];

    public static decimal SellOut(long dealer, int version) => dealer % 97 + version;

    public Task RunAsync(string tenant, string region, int updates)
    {
        var dealer = this.GetPrimaryKeyLong();
        for (var version = 1; version <= updates; version++)
        {
            var contribution = new Contribution(tenant, Contribution.DealerSource($"D{dealer}"), version, region, (DealerTier)(dealer % 3), Month,
                new ChannelFigures { OrderCount = version, OrderValue = version * 10m, SellOutValue = SellOut(dealer, version), ChannelStockUnits = 100 - version },
                [new SkuFigures("P1", version, version * 10m, version, SellOut(dealer, version), 100 - version)]);
            this.PublishContribution(contribution);
        }
        return Task.CompletedTask;
    }
}
