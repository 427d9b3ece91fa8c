using ChannelGrains.Catalog;
using ChannelGrains.Fields;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;

namespace ChannelGrains.Tests.Rules;

/// <summary>
/// What the busiest grain calls answer is handed over as it is, not copied: Orleans deep-copies every answer of a call
/// within a silo unless its type is immutable, and the views of orders, dealers, products and stores were most of the
/// copies of the benchmark mix (docs/benchmarks.md). Each is a record made for the answer, or one the state replaces
/// rather than changes.
/// </summary>
public sealed class SharedViewTests : IDisposable
{
    private readonly ServiceProvider services = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(DealerState).Assembly)).BuildServiceProvider();

    public void Dispose() => services.Dispose();

    [Fact]
    public void The_views_grain_calls_answer_with_are_shared_not_copied()
    {
        var copier = services.GetRequiredService<DeepCopier>();
        object[] views =
        [
            new OrderView("O1", "D1", OrderStatus.Confirmed, [new OrderLine("P1", 2, 10m, null)], 20m, DateTime.UtcNow, 1),
            new DealerView("D1", "Dealer 1", "CN/East", DealerTier.Value, DealerStatus.Admitted, 100m, 20m, ["P1"], [new StockLevel("P1", 3, 0)], 2),
            new ProductView("P1", "Tea", 10m, 8m, 100, 2),
            new StoreInfo("S1", "Store 1", "D1", "CN/East", 31.2, 121.5),
        ];

        foreach (var view in views) Assert.Same(view, copier.Copy(view));
    }
}
