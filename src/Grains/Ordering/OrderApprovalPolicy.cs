using Microsoft.Extensions.Options;

namespace ChannelGrains.Ordering;

/// <summary>Which orders wait in PENDING_APPROVAL before they count.</summary>
public interface IOrderApprovalPolicy
{
    bool NeedsApproval(string tenant, PlaceOrder order, IReadOnlyList<OrderLine> lines);
}

/// <summary>Orders above the configured value (<c>Ordering:ApprovalAbove</c>) wait for approval.</summary>
public sealed class OrderValueApprovalPolicy(IOptions<OrderingOptions> options) : IOrderApprovalPolicy
{
    public bool NeedsApproval(string tenant, PlaceOrder order, IReadOnlyList<OrderLine> lines) =>
        options.Value.ApprovalAbove is { } threshold && lines.Sum(l => l.Amount) > threshold;
}
