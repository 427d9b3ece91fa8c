using ChannelGrains.Api.Auth;
using ChannelGrains.Api.Ordering;
using ChannelGrains.Api.Partners;
using ChannelGrains.Api.Schema;
using ChannelGrains.Approvals;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;
using GraphQL;
using GraphQL.Types;

namespace ChannelGrains.Api.Approvals;

/// <summary>
/// The approval engine (rule 11): special prices, orders above the tenant's value and dealer admissions go through a
/// chain chosen by amount; ADMINs and the MANAGERs of the subject's region decide, each step logged with who and why.
/// </summary>
public static class ApprovalFields
{
    public static void AddApprovalQueries(this ObjectGraphType query)
    {
        query.Field<ApprovalType>("approval")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async context =>
            {
                var approval = await context.Grain<IApprovalGrain>(context.GetArgument<string>("id")).GetAsync();
                var caller = context.Caller();
                var requester = approval is not null && approval.Request.RequestedBy == caller.Subject && approval.Request.RequestedByRole == Caller.RoleName(caller.Role);
                if (approval is not null && !requester) Access.EnsureCanManage(caller, approval.Request.Region);
                return approval;
            });

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<ApprovalType>>>>("approvals")
            .Description("Approvals of a region subtree (a MANAGER: its own): by default those waiting, oldest first; with an APPROVED, REJECTED or WITHDRAWN (its order was cancelled before a decision reached it; a decision made meanwhile stays in its history) status, those of the region among the tenant's latest 200 closed approvals, newest first (each approval keeps its whole record in approval(id)).")
            .Argument<StringGraphType>("region")
            .Argument<ApprovalStatusType>("status")
            .Argument<IntGraphType>("first")
            .ResolveAsync(async context =>
            {
                var caller = context.Caller();
                var requested = context.GetArgument<string?>("region");
                var region = Access.ListingRegion(caller, requested is null ? null : Validate.Region(requested));
                var status = context.GetArgument<ApprovalStatus?>("status") ?? ApprovalStatus.Pending;
                var entries = await context.Grains().GetGrain<IApprovalInboxGrain>(caller.Tenant).ListAsync(region, status, Paging.First(context.GetArgument<int?>("first")));
                var approvals = await Task.WhenAll(entries.Select(e => context.Grain<IApprovalGrain>(e.Id).GetAsync()));
                // The approval itself is the truth: an inbox that missed a change (its update failed) lists it under its old
                // status, or under the region its dealer has left (rule 19: the approval, read, is in the dealer's region now).
                bool Listed(ApprovalView a) => a.Status == status && (region is null || RegionPath.IsWithin(a.Request.Region, region));
                return approvals.OfType<ApprovalView>().Where(Listed).ToArray();
            });

        query.Field<NonNullGraphType<TenantSettingsType>>("tenantSettings")
            .ResolveAsync(async context => await context.Grains().GetGrain<ITenantSettingsGrain>(context.Caller().Tenant).GetAsync());
    }

    private const string RetryNote = "With a requestId the decision is made once: asked again by the same caller with the same decision and reason, "
        + "it answers as things are (applying a decision a failure stopped midway); the same requestId for another decision is VALIDATION.";

    public static void AddApprovalMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<ApprovalType>>("decideApproval")
            .Description("Approves or rejects the step that is due. The last approval, or any rejection, is applied to the subject. INVALID_TRANSITION once the approval is closed, or its order no longer waits for it. " + RetryNote)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<BooleanGraphType>>("approved")
            .Argument<NonNullGraphType<StringGraphType>>("reason")
            .Argument<IdGraphType>("requestId")
            .ResolveAsync(async context => await DecideAsync(context, context.GetArgument<string>("id")));

        mutation.Field<NonNullGraphType<OrderType>>("approveOrder")
            .Description("Decides the due step of an order's approval: CONFIRMED after the last approval, REJECTED (reservations released) on a rejection. " + RetryNote)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<BooleanGraphType>>("approved")
            .Argument<StringGraphType>("reason")
            .Argument<IdGraphType>("requestId")
            .ResolveAsync(async context =>
            {
                var orderId = context.GetArgument<string>("id");
                await DecideAsync(context, ApprovalOutcomes.OrderApprovalId(orderId));
                return await context.Grain<IOrderGrain>(orderId).GetAsync();
            });

        mutation.Field<NonNullGraphType<ApprovalType>>("requestSpecialPrice")
            .Description("Asks for a price below the floor for one dealer, SKU and date range; orders may use it once approved.")
            .Argument<NonNullGraphType<SpecialPriceInputType>>("input")
            .ResolveAsync(async context =>
            {
                var input = context.GetArgument<SpecialPriceInput>("input");
                Validate.Id(input.RequestId, "requestId");
                Validate.Money(input.Price, "price");
                var (validFrom, validTo) = (Validate.Date(input.ValidFrom.ToUniversalTime(), "validFrom"), Validate.Date(input.ValidTo.ToUniversalTime(), "validTo"));
                if (validTo < validFrom) throw ChannelException.Validation("validTo must not be before validFrom.");
                var quantity = input.ExpectedQuantity ?? 1;
                Validate.Positive(quantity, "expectedQuantity");
                var dealer = await DealerAccess.ActingForAsync(context, Validate.Id(input.DealerId, "dealerId"));
                var product = await context.Grain<IProductGrain>(input.Sku).GetAsync() ?? throw ChannelException.NotFound($"Product {input.Sku}");
                var approvalId = ApprovalOutcomes.SpecialPriceApprovalId(input.RequestId);
                var request = new ApprovalRequest(ApprovalKind.SpecialPrice, dealer.Id, dealer.Region,
                    Math.Max(0, product.ListPrice - input.Price) * quantity, context.Caller().Subject, $"{product.Sku} at {input.Price} for {dealer.Name}",
                    Caller.RoleName(context.Caller().Role), ApprovalOutcomes.SpecialPriceTerms(product.Sku, input.Price, validFrom, validTo, quantity));
                var approval = context.Grain<IApprovalGrain>(approvalId);
                // Before the dealer records the price: a requestId that another request (another dealer's) holds is refused
                // with nothing changed. Opening checks it again, against one opened meanwhile: if that is another dealer's,
                // the price just recorded is dropped, as nothing would ever decide it.
                (await approval.GetAsync())?.Request.EnsureAskedAgainBy(request);
                var requester = context.Grain<IDealerGrain>(dealer.Id);
                await requester.RequestSpecialPriceAsync(approvalId, new SpecialPrice(product.Sku, input.Price, validFrom, validTo, ApprovalStatus.Pending));
                try
                {
                    return await approval.OpenAsync(request);
                }
                catch (ChannelException refused) when (refused.Code == ErrorCodes.Validation)
                {
                    if ((await approval.GetAsync())?.Request.SubjectId != dealer.Id) await requester.DropSpecialPriceRequestAsync(approvalId);
                    throw;
                }
            });

        mutation.Field<NonNullGraphType<ApprovalType>>("requestDealerAdmission")
            .Description("Opens the admission (准入) of a PENDING dealer: a regional manager, then an ADMIN, approve; the dealer is then ADMITTED. "
                + "Asked while one is open, returns that one; asked after a rejection, opens a new one (the rejected one stays in the log).")
            .Argument<NonNullGraphType<IdGraphType>>("dealerId")
            .ResolveAsync(async context =>
            {
                var dealer = await DealerAccess.ManagedAsync(context, context.GetArgument<string>("dealerId"));
                if (dealer.Status != DealerStatus.Pending)
                    throw new ChannelException(ErrorCodes.InvalidTransition, $"Dealer {dealer.Id} is {ChannelException.ApiName(dealer.Status)}; only a PENDING dealer is admitted.");
                var request = new ApprovalRequest(ApprovalKind.DealerAdmission, dealer.Id, dealer.Region, 0m, context.Caller().Subject, $"Admission of {dealer.Name}",
                    Caller.RoleName(context.Caller().Role));
                // Each attempt is an approval of its own, so a rejected one stays in the log. Opening the one that is open
                // returns it, whoever asks: asking again, or retrying, gets it rather than a new one.
                for (var attempt = 1; ; attempt++)
                {
                    var approval = await context.Grain<IApprovalGrain>(ApprovalOutcomes.AdmissionApprovalId(dealer.Id, attempt)).OpenAsync(request);
                    if (approval.Status != ApprovalStatus.Rejected) return approval;
                }
            });

        mutation.Field<NonNullGraphType<TenantSettingsType>>("updateTenantSettings")
            .Argument<NonNullGraphType<TenantSettingsInputType>>("input")
            .ResolveAsync(async context =>
            {
                Access.EnsureAdmin(context.Caller());
                return await context.Grains().GetGrain<ITenantSettingsGrain>(context.Caller().Tenant)
                    .UpdateAsync(context.GetArgument<TenantSettingsInput>("input").ToSettings());
            });
    }

    private static async Task<ApprovalView> DecideAsync(IResolveFieldContext context, string approvalId)
    {
        var caller = context.Caller();
        if (caller.Role is not (Role.Admin or Role.Manager)) throw new ChannelException(ErrorCodes.Forbidden, "Only an ADMIN or a MANAGER decides approvals.");
        // NOT_FOUND from the grain for an approval never opened: reading it first would ask its subject twice.
        return await context.Grain<IApprovalGrain>(approvalId).DecideAsync(new Approver(caller.Subject, caller.Role == Role.Admin, caller.Region),
            context.GetArgument<bool>("approved"), context.GetArgument<string?>("reason") ?? (context.GetArgument<bool>("approved") ? "approved" : "rejected"),
            context.GetArgument<string?>("requestId"));
    }
}
