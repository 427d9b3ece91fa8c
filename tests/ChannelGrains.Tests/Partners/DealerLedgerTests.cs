using ChannelGrains.Partners;

namespace ChannelGrains.Tests.Partners;

public sealed class DealerLedgerTests
{
    [Fact]
    public void The_current_month_snapshot_follows_every_sku_stock_and_keeps_its_flows()
    {
        var state = new DealerState { Info = new DealerInfo("D1", "D1", "CN/East", DealerTier.Value, DealerStatus.Admitted, 1_000m, ["TEA", "RICE"]) };
        DealerLedger.Ship(state, "O1", [new SkuQuantity("TEA", 10), new SkuQuantity("RICE", 4)]);
        DealerLedger.SnapshotCurrentMonth(state, "2026-11");
        Assert.Equal((10, 4, 14), (Stock("TEA"), Stock("RICE"), state.Months["2026-11"].StockUnits));

        DealerLedger.Receive(state, "O1");
        DealerLedger.SellOut(state, new SellOutReport("S1", "D1", new DateTime(2026, 11, 20), [new SellOutLine("TEA", 3, 30m, null)]));
        DealerLedger.SnapshotCurrentMonth(state, "2026-11");
        Assert.Equal((7, 4, 11), (Stock("TEA"), Stock("RICE"), state.Months["2026-11"].StockUnits));
        Assert.Equal((3, 30m), (state.Months["2026-11"].Skus["TEA"].SellOutUnits, state.Months["2026-11"].Skus["TEA"].SellOutValue));

        int Stock(string sku) => state.Months["2026-11"].Skus[sku].StockUnits;
    }
}
