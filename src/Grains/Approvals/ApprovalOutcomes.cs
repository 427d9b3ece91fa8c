using ChannelGrains.Ordering;
using ChannelGrains.Partners;

namespace ChannelGrains.Approvals;

/// <summary>Applies a final approval decision to what it was about.</summary>
public interface IApprovalOutcomes
{
    Task ApplyAsync(string tenant, string approvalId, ApprovalRequest request, bool approved);
}

public sealed class ApprovalOutcomes(IGrainFactory grains) : IApprovalOutcomes
{
    public Task ApplyAsync(string tenant, string approvalId, ApprovalRequest request, bool approved) => request.Kind switch
    {
        ApprovalKind.Order => (Task)grains.GetGrain<IOrderGrain>(Keys.Of(tenant, request.SubjectId)).ApplyApprovalAsync(approved),
        ApprovalKind.SpecialPrice => grains.GetGrain<IDealerGrain>(Keys.Of(tenant, request.SubjectId)).DecideSpecialPriceAsync(approvalId, approved),
        ApprovalKind.DealerAdmission => grains.GetGrain<IDealerGrain>(Keys.Of(tenant, request.SubjectId)).DecideAdmissionAsync(approved),
        _ => throw new NotSupportedException($"{request.Kind} approvals have no outcome yet."),
    };

    public static string OrderApprovalId(string orderId) => $"order-{orderId}";

    public static string SpecialPriceApprovalId(string requestId) => $"special-price-{requestId}";

    public static string AdmissionApprovalId(string dealerId) => $"admission-{dealerId}";
}
