namespace ChannelGrains.Api.Demo;

/// <summary>
/// The demo's region tree: China, the seven big regions a sales organisation usually splits it into (华东, 华北, 华南,
/// 华中, 西南, 西北, 东北), real provinces, and a few real cities each (districts for the municipalities).
/// <see cref="City.Weight"/> is a rough share of the channel, so the East and the South carry the most dealers.
/// </summary>
public static class ChinaRegions
{
    public const string Root = "CN";

    public sealed record City(string BigRegion, string Province, string Name, int Weight)
    {
        public string Path => $"{Root}/{BigRegion}/{Province}/{Name}";

        public string ProvincePath => $"{Root}/{BigRegion}/{Province}";

        public string BigRegionPath => $"{Root}/{BigRegion}";
    }

    private static readonly (string BigRegion, int Weight, (string Province, string[] Cities)[] Provinces)[] Tree =
    [
        ("East", 6,
        [
            ("Shanghai", ["Pudong", "Minhang", "Jiading"]),
            ("Jiangsu", ["Nanjing", "Suzhou", "Wuxi", "Changzhou", "Nantong"]),
            ("Zhejiang", ["Hangzhou", "Ningbo", "Wenzhou", "Shaoxing"]),
            ("Anhui", ["Hefei", "Wuhu", "Bengbu"]),
            ("Fujian", ["Fuzhou", "Xiamen", "Quanzhou"]),
            ("Jiangxi", ["Nanchang", "Ganzhou", "Jiujiang"]),
            ("Shandong", ["Jinan", "Qingdao", "Yantai", "Weifang"]),
        ]),
        ("North", 4,
        [
            ("Beijing", ["Chaoyang", "Haidian", "Fengtai"]),
            ("Tianjin", ["Binhai", "Heping", "Nankai"]),
            ("Hebei", ["Shijiazhuang", "Tangshan", "Baoding"]),
            ("Shanxi", ["Taiyuan", "Datong", "Changzhi"]),
            ("InnerMongolia", ["Hohhot", "Baotou", "Ordos"]),
        ]),
        ("South", 5,
        [
            ("Guangdong", ["Guangzhou", "Shenzhen", "Dongguan", "Foshan", "Zhuhai"]),
            ("Guangxi", ["Nanning", "Liuzhou", "Guilin"]),
            ("Hainan", ["Haikou", "Sanya"]),
        ]),
        ("Central", 4,
        [
            ("Henan", ["Zhengzhou", "Luoyang", "Kaifeng"]),
            ("Hubei", ["Wuhan", "Yichang", "Xiangyang"]),
            ("Hunan", ["Changsha", "Zhuzhou", "Hengyang"]),
        ]),
        ("Southwest", 3,
        [
            ("Chongqing", ["Yuzhong", "Jiangbei", "Wanzhou"]),
            ("Sichuan", ["Chengdu", "Mianyang", "Yibin"]),
            ("Guizhou", ["Guiyang", "Zunyi"]),
            ("Yunnan", ["Kunming", "Dali", "Qujing"]),
            ("Tibet", ["Lhasa", "Shigatse"]),
        ]),
        ("Northwest", 2,
        [
            ("Shaanxi", ["Xian", "Baoji", "Xianyang"]),
            ("Gansu", ["Lanzhou", "Tianshui"]),
            ("Qinghai", ["Xining", "Golmud"]),
            ("Ningxia", ["Yinchuan", "Shizuishan"]),
            ("Xinjiang", ["Urumqi", "Kashgar", "Karamay"]),
        ]),
        ("Northeast", 2,
        [
            ("Liaoning", ["Shenyang", "Dalian", "Anshan"]),
            ("Jilin", ["Changchun", "Jilin", "Siping"]),
            ("Heilongjiang", ["Harbin", "Daqing", "Qiqihar"]),
        ]),
    ];

    /// <summary>Every city; the first city of a province (its capital) weighs double.</summary>
    public static IReadOnlyList<City> Cities { get; } = Tree
        .SelectMany(big => big.Provinces.SelectMany(p => p.Cities.Select((city, i) => new City(big.BigRegion, p.Province, city, big.Weight * (i == 0 ? 2 : 1)))))
        .ToArray();
}
