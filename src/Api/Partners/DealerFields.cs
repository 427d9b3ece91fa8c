using ChannelGrains.Api.Auth;
using ChannelGrains.Api.Schema;
using ChannelGrains.Api.Subscriptions;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using ChannelGrains.Partners;
using GraphQL;
using GraphQL.Types;

namespace ChannelGrains.Api.Partners;

public static class DealerFields
{
    public static void AddDealerQueries(this ObjectGraphType query)
    {
        query.Field<DealerType>("dealer")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async context => await DealerAccess.VisibleAsync(context, context.GetArgument<string>("id")));

        query.Field<NonNullGraphType<DealerConnectionType>>("dealers")
            .Description("Dealers sorted by id, optionally within a region subtree and of one tier; cursor-paginated.")
            .Argument<StringGraphType>("region")
            .Argument<DealerTierType>("tier")
            .Argument<IntGraphType>("first")
            .Argument<StringGraphType>("after")
            .ResolveAsync(async context =>
            {
                var caller = context.Caller();
                var requested = context.GetArgument<string?>("region");
                var region = Access.ListingRegion(caller, requested is null ? null : Validate.Region(requested));
                var tier = context.GetArgument<DealerTier?>("tier");
                var first = Paging.First(context.GetArgument<int?>("first"));
                var page = await context.Service<DealerRegistry>().ListAsync(
                    caller.Tenant, region, tier, Paging.AfterId(context.GetArgument<string?>("after")), first);
                var dealers = await Task.WhenAll(page.Entries.Select(e => context.Grains().GetGrain<IDealerGrain>(Keys.Of(caller.Tenant, e.Id)).GetAsync()));
                // The dealer as it is now, which an index entry not written yet (or whose write failed) may not match: rule 19 holds by the dealer.
                var edges = dealers.OfType<DealerView>().Where(d => DealerIndex.Matches(DealerIndex.Entry(d), region, tier))
                    .Select(d => new DealerEdge(Paging.Cursor(d.Id), d)).ToArray();
                var endCursor = page.Entries.Count > 0 ? Paging.Cursor(page.Entries[^1].Id) : null; // also when that dealer is left out
                return new DealerConnection(edges, new PageInfo(page.HasNextPage, endCursor), page.TotalCount);
            });
    }

    public static void AddDealerMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<DealerType>>("upsertDealer")
            .Argument<NonNullGraphType<DealerInputType>>("input")
            .ResolveAsync(async context =>
            {
                var outcome = (await UpsertAsync(context, [context.GetArgument<DealerInfo>("input")]))[0];
                return outcome.Value ?? throw outcome.Error!;
            });

        mutation.Field<NonNullGraphType<ListGraphType<DealerType>>>("upsertDealers")
            .Description("Bulk form of upsertDealer: up to 1,000 dealers in one request. A malformed record refuses the whole batch; a record refused for its current state (an invalid status move) is null with an error at its index.")
            .Argument<NonNullGraphType<ListGraphType<NonNullGraphType<DealerInputType>>>>("inputs")
            .ResolveAsync(async context => BulkResults.Report(context, await UpsertAsync(context, context.GetArgument<List<DealerInfo>>("inputs"))));

        mutation.Field<NonNullGraphType<DealerType>>("importDealerHistory")
            .Description("A migration from a legacy system (ADMIN, or a MANAGER of the dealer's region): finished months (before the current one, "
                + "which is live) replace what the dealer holds for them, so importing twice changes nothing; an opening stock is accepted only "
                + "while the dealer has never ordered or reported sell-out (INVALID_TRANSITION), and of products in the catalog (NOT_FOUND).")
            .Argument<NonNullGraphType<DealerHistoryInputType>>("input")
            .ResolveAsync(async context =>
            {
                var input = context.GetArgument<DealerHistoryInput>("input");
                await DealerAccess.EnsureManagedAsync(context, Validate.Id(input.DealerId, "dealerId"));
                // Opening stock is live stock, sold and reordered from now on: of a product the channel sells (months may name
                // retired SKUs). Too many SKUs are left for the dealer to refuse, before any is read.
                var opening = input.OpeningStock ?? [];
                if (opening.Count <= DealerRules.MaxAuthorizedSkus)
                    await Task.WhenAll(opening.Select(l => Validate.Id(l.Sku, "openingStock.sku")).Distinct(StringComparer.Ordinal).Select(async sku =>
                        _ = await context.Grain<IProductGrain>(sku).GetAsync() ?? throw ChannelException.NotFound($"Product {sku}")));
                return await context.Grain<IDealerGrain>(input.DealerId).ImportHistoryAsync(new DealerHistoryImport(input.Months ?? [], opening));
            });
    }

    public static void AddDealerSubscriptions(this ObjectGraphType subscription)
    {
        subscription.Field<NonNullGraphType<DealerType>>("dealerChanged")
            .Description("The dealer as it is now, then again after each change; FORBIDDEN for each change once it is out of the caller's sight (moved out of a manager's region).")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveStreamAsync(async context =>
            {
                var id = context.GetArgument<string>("id");
                await DealerAccess.EnsureExistsAsync(context, id);
                var dealer = context.Grain<IDealerGrain>(id); // the hub reads it again later, after this request is over
                return await context.Service<ChangeHub>().ObserveAsync(StreamNames.Dealer, Keys.Of(context.Caller().Tenant, id), dealer.GetAsync);
            })
            .Resolve(context => DealerAccess.StillVisible(context, (DealerView)context.Source!));
    }

    private static async Task<IReadOnlyList<UpsertOutcome<DealerView>>> UpsertAsync(IResolveFieldContext context, IReadOnlyList<DealerInfo> batch)
    {
        var caller = context.Caller();
        var validated = Bulk.ValidateAll(batch, DealerRules.Validated, d => d.Id);
        await Access.EnsureCanManageAllAsync(caller, validated, d => d.Region,
            async d => (await context.Grains().GetGrain<IDealerGrain>(Keys.Of(caller.Tenant, d.Id)).GetAsync())?.Region);
        return await context.Service<DealerRegistry>().UpsertAsync(caller.Tenant, validated);
    }
}
