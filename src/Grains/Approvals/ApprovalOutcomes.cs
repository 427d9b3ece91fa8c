using System.Globalization;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;

namespace ChannelGrains.Approvals;

/// <summary>Applies a final approval decision to what it was about.</summary>
public interface IApprovalOutcomes
{
    /// <summary>Whether the outcome decided its subject: not when it was an order cancelled while the decision was made.</summary>
    Task<bool> ApplyAsync(string tenant, string approvalId, ApprovalRequest request, bool approved);

    /// <summary>Whether the subject still waits for the decision: an order cancelled meanwhile does not.</summary>
    Task<bool> AwaitsAsync(string tenant, ApprovalRequest request);

    /// <summary>The region of the dealer the approval is about, as it is now; null when there is no such dealer.</summary>
    Task<string?> RegionNowAsync(string tenant, ApprovalRequest request);
}

public sealed class ApprovalOutcomes(IGrainFactory grains) : IApprovalOutcomes
{
    public async Task<bool> ApplyAsync(string tenant, string approvalId, ApprovalRequest request, bool approved)
    {
        switch (request.Kind)
        {
            case ApprovalKind.Order:
                return await grains.GetGrain<IOrderGrain>(Keys.Of(tenant, request.SubjectId)).ApplyApprovalAsync(approved);
            case ApprovalKind.SpecialPrice:
                await grains.GetGrain<IDealerGrain>(Keys.Of(tenant, request.SubjectId)).DecideSpecialPriceAsync(approvalId, approved);
                return true;
            case ApprovalKind.DealerAdmission:
                await grains.GetGrain<IDealerGrain>(Keys.Of(tenant, request.SubjectId)).DecideAdmissionAsync(approved);
                return true;
            default:
                throw new NotSupportedException($"{request.Kind} approvals have no outcome yet.");
        }
    }

    public async Task<bool> AwaitsAsync(string tenant, ApprovalRequest request) => request.Kind != ApprovalKind.Order
        || (await grains.GetGrain<IOrderGrain>(Keys.Of(tenant, request.SubjectId)).GetAsync())?.Status == OrderStatus.PendingApproval;

    public async Task<string?> RegionNowAsync(string tenant, ApprovalRequest request)
    {
        // An order's approval is requested by its dealer; a special price and an admission are about theirs.
        var dealerId = request.Kind switch
        {
            ApprovalKind.Order => request.RequestedBy,
            ApprovalKind.SpecialPrice or ApprovalKind.DealerAdmission => request.SubjectId,
            _ => null,
        };
        return dealerId is null ? null : (await grains.GetGrain<IDealerGrain>(Keys.Of(tenant, dealerId)).GetAsync())?.Region;
    }

    public static string OrderApprovalId(string orderId) => $"order-{orderId}";

    public static string SpecialPriceApprovalId(string requestId) => $"special-price-{requestId}";

    /// <summary>A special price request's <see cref="ApprovalRequest.Terms"/>: a price compares by value (7.00 asks what 7 asks).</summary>
    public static string SpecialPriceTerms(string sku, decimal price, DateTime validFrom, DateTime validTo, int quantity) =>
        string.Create(CultureInfo.InvariantCulture, $"{sku} at {price:G29} from {validFrom:O} to {validTo:O}, {quantity} units");

    /// <summary>
    /// The approval of a dealer's <paramref name="attempt"/>th admission request, from 1 (it is asked again after a
    /// rejection). The first keeps the id admissions had before; later ones put the number before the dealer's id,
    /// where no dealer id can make two of them the same.
    /// </summary>
    public static string AdmissionApprovalId(string dealerId, int attempt) => attempt == 1 ? $"admission-{dealerId}" : $"admission{attempt}-{dealerId}";
}
