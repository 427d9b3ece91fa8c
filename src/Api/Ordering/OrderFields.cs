using ChannelGrains.Api.Partners;
using ChannelGrains.Api.Schema;
using ChannelGrains.Api.Subscriptions;
using ChannelGrains.Approvals;
using ChannelGrains.Common;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;
using GraphQL;
using GraphQL.Types;

namespace ChannelGrains.Api.Ordering;

/// <summary>
/// Orders, sell-out and quotas. A dealer places, cancels and receives its own orders and reports its own sell-out;
/// the manufacturer (ADMIN, or the MANAGER of the dealer's region) also ships, approves and sets quotas.
/// </summary>
public static class OrderFields
{
    public static void AddOrderQueries(this ObjectGraphType query)
    {
        query.Field<OrderType>("order")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async context =>
            {
                var order = await context.Grain<IOrderGrain>(context.GetArgument<string>("id")).GetAsync();
                if (order is not null) await DealerAccess.EnsureExistsAsync(context, order.DealerId);
                return order;
            });

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<CrossRegionAlertType>>>>("crossRegionAlerts")
            .Description("The newest 串货 alerts raised by dealers of a region subtree (a MANAGER: its own subtree).")
            .Argument<StringGraphType>("region")
            .Argument<IntGraphType>("first")
            .ResolveAsync(async context =>
            {
                var caller = context.Caller();
                var requested = context.GetArgument<string?>("region");
                var region = Auth.Access.ListingRegion(caller, requested is null ? null : Validate.Region(requested));
                return await context.Grains().GetGrain<ICrossRegionAlertLogGrain>(caller.Tenant).ListAsync(region, Paging.First(context.GetArgument<int?>("first")));
            });
    }

    public static void AddOrderMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<OrderType>>("placeOrder")
            .Description("Reserves credit and stock for every line or none. Retrying with the same requestId returns the first result; the requestId becomes the order id.")
            .Argument<NonNullGraphType<PlaceOrderInputType>>("input")
            .ResolveAsync(async context =>
            {
                var order = OrderRules.Validated(context.GetArgument<PlaceOrder>("input"));
                // Even for an ADMIN: an order refused for a dealer that does not exist would keep that answer for its requestId.
                await DealerAccess.EnsureActingForExistingAsync(context, order.DealerId);
                return await context.Grain<IOrderGrain>(order.RequestId).PlaceAsync(order);
            });

        mutation.Field<NonNullGraphType<OrderType>>("cancelOrder")
            .Description("Releases what the order held; an approval it waited for is WITHDRAWN.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async context =>
            {
                var order = await OrderAsync(context, DealerAccess.EnsureActingForAsync);
                try
                {
                    return await order.CancelAsync();
                }
                finally
                {
                    // Also when the cancel is refused: a retry of one that stopped before this step finds the order
                    // CANCELLED already. The approval asks the order, which does not call it: the approval calls the
                    // order when deciding, and calls both ways could wait on each other.
                    await context.Grain<IApprovalGrain>(ApprovalOutcomes.OrderApprovalId(context.GetArgument<string>("id"))).WithdrawIfNotAwaitedAsync();
                }
            });

        mutation.Field<NonNullGraphType<OrderType>>("shipOrder")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async context => await (await OrderAsync(context, DealerAccess.EnsureManagedAsync)).ShipAsync());

        mutation.Field<NonNullGraphType<OrderType>>("receiveOrder")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async context => await (await OrderAsync(context, DealerAccess.EnsureActingForAsync)).ReceiveAsync());

        mutation.Field<NonNullGraphType<DealerType>>("reportSellOut")
            .Description("Dealer sales to stores or consumers. Refused whole if any SKU would go below zero; idempotent by requestId; a store outside the dealer's region raises a cross-region alert.")
            .Argument<NonNullGraphType<SellOutInputType>>("input")
            .ResolveAsync(async context =>
            {
                var report = DealerLedger.ValidatedSellOut(context.GetArgument<SellOutReport>("input"));
                await DealerAccess.EnsureActingForAsync(context, report.DealerId);
                return await context.Grain<IDealerGrain>(report.DealerId).ReportSellOutAsync(report);
            });

        mutation.Field<NonNullGraphType<QuotaProgressType>>("setQuota")
            .Description("A dealer's target for one month; quarters and years add up their months.")
            .Argument<NonNullGraphType<QuotaInputType>>("input")
            .ResolveAsync(async context =>
            {
                var input = context.GetArgument<QuotaInput>("input");
                await DealerAccess.EnsureManagedAsync(context, Validate.Id(input.OwnerId, "ownerId"));
                return await context.Grain<IDealerGrain>(input.OwnerId).SetQuotaAsync(input.Period, input.Target);
            });
    }

    public static void AddOrderSubscriptions(this ObjectGraphType subscription)
    {
        subscription.Field<NonNullGraphType<OrderType>>("orderChanged")
            .Description("The dealer's latest order first (if it has one), then each order of the dealer as it is placed or changes status. "
                + "A change whose message was lost, or made while the subscription started, arrives later as the order's current state (for the dealer's 8 newest orders and the last orders sent), so a status between may be skipped. "
                + "FORBIDDEN for each change once the dealer is out of the caller's sight (moved out of a manager's region).")
            .Argument<NonNullGraphType<IdGraphType>>("dealerId")
            .ResolveStreamAsync(async context =>
            {
                var dealerId = context.GetArgument<string>("dealerId");
                await DealerAccess.EnsureExistsAsync(context, dealerId);
                var tenant = context.Caller().Tenant;
                var grains = context.Grains();
                return await context.Service<ChangeHub>().ObserveAsync(StreamNames.OrdersOfDealer, Keys.Of(tenant, dealerId),
                    () => LatestOrderAsync(grains, tenant, dealerId), OrderSources(grains, tenant, dealerId));
            })
            .ResolveAsync(async context =>
            {
                var order = (OrderView)context.Source!;
                await DealerAccess.EnsureStillVisibleAsync(context, order.DealerId);
                return order;
            });
    }

    /// <summary>Orders whose placing is still under way (or was refused) are passed over for the one before.</summary>
    private const int LatestOrdersRead = 3;

    /// <summary>How many of a dealer's newest orders orderChanged reads again, for a lost message of one of them.</summary>
    private const int NewestOrdersReadAgain = 8;

    /// <summary>
    /// The dealer's newest placed order: what orderChanged starts with, read once its stream subscription is live and the
    /// watch has returned, so that an order placed while the subscription was starting (a client reconnecting) is not missed.
    /// </summary>
    public static async Task<OrderView?> LatestOrderAsync(IGrainFactory grains, string tenant, string dealerId)
    {
        var page = await grains.GetGrain<IDealerGrain>(Keys.Of(tenant, dealerId)).ListLatestOrdersAsync(LatestOrdersRead);
        for (var i = page.Orders.Count - 1; i >= 0; i--)
            if (OfDealer(await grains.GetGrain<IOrderGrain>(Keys.Of(tenant, page.Orders[i].Id)).GetAsync(), dealerId) is { } order) return order;
        return null;
    }

    /// <summary>How orderChanged reads a dealer's orders again: its newest ones, and one by id.</summary>
    public static SourceReaders<OrderView> OrderSources(IGrainFactory grains, string tenant, string dealerId) => new(
        () => NewestOrdersAsync(grains, tenant, dealerId, NewestOrdersReadAgain),
        async orderId => OfDealer(await grains.GetGrain<IOrderGrain>(Keys.Of(tenant, orderId)).GetAsync(), dealerId));

    /// <summary>The dealer's placed orders among its last <paramref name="last"/>, oldest first.</summary>
    private static async Task<IReadOnlyList<OrderView>> NewestOrdersAsync(IGrainFactory grains, string tenant, string dealerId, int last)
    {
        var page = await grains.GetGrain<IDealerGrain>(Keys.Of(tenant, dealerId)).ListLatestOrdersAsync(last);
        return (await OrdersOfAsync(grains, tenant, dealerId, page)).OfType<OrderView>().ToArray();
    }

    /// <summary>
    /// The orders a dealer's page lists, in its order; null for one whose placing is under way or was refused, and for
    /// one that is another dealer's (see <see cref="OfDealer"/>).
    /// </summary>
    private static async Task<OrderView?[]> OrdersOfAsync(IGrainFactory grains, string tenant, string dealerId, OrderRefPage page) =>
        [.. (await Task.WhenAll(page.Orders.Select(o => grains.GetGrain<IOrderGrain>(Keys.Of(tenant, o.Id)).GetAsync()))).Select(o => OfDealer(o, dealerId))];

    /// <summary>
    /// The order if it is the dealer's. A dealer keeps listing an order whose placing died before the order stored
    /// anything (its audit released the hold): a retry of that requestId finds it listed. Nothing stored, the requestId
    /// may be placed for another dealer, and is then that dealer's order, never shown as this one's (rule 19).
    /// </summary>
    private static OrderView? OfDealer(OrderView? order, string dealerId) => order is not null && order.DealerId == dealerId ? order : null;

    /// <summary>The dealer's own orders and quota progress, on the Dealer type.</summary>
    public static void AddDealerOrderFields(this ObjectGraphType<DealerView> dealer)
    {
        dealer.Field<NonNullGraphType<OrderConnectionType>>("orders")
            .Description("The dealer's orders in the order placed: from the first (first, after), or the newest (last).")
            .Argument<IntGraphType>("first")
            .Argument<StringGraphType>("after")
            .Argument<IntGraphType>("last", "The newest orders, up to this many, still oldest first. Not with first or after.")
            .ResolveAsync(async context =>
            {
                var tenant = context.Caller().Tenant;
                var grain = context.Grains().GetGrain<IDealerGrain>(Keys.Of(tenant, context.Source.Id));
                var last = context.GetArgument<int?>("last");
                if (last is not null && (context.HasArgument("first") || context.HasArgument("after")))
                    throw ChannelException.Validation("Ask for orders with first and after, or with last, not both.");
                var (afterId, afterPosition) = Paging.AfterPositioned(context.GetArgument<string?>("after"));
                var page = last is not null
                    ? await grain.ListLatestOrdersAsync(Paging.First(last, "last"))
                    : await grain.ListOrdersAsync(afterId, afterPosition, Paging.First(context.GetArgument<int?>("first")));
                var orders = await OrdersOfAsync(context.Grains(), tenant, context.Source.Id, page);
                // A cursor carries the order's position, so that the next page starts there without looking for it.
                var edges = orders.Select((o, i) => o is null ? null : new OrderEdge(Paging.Cursor(o.Id, page.FirstPosition + i), o)).OfType<OrderEdge>().ToArray();
                // The page's last order, shown or not: a page of refused orders only must still say where the next one starts.
                var endCursor = page.Orders.Count > 0 ? Paging.Cursor(page.Orders[^1].Id, page.FirstPosition + page.Orders.Count - 1) : context.GetArgument<string?>("after");
                return new OrderConnection(edges, new PageInfo(page.HasNextPage, endCursor));
            });

        dealer.Field<NonNullGraphType<QuotaProgressType>>("quota")
            .Argument<NonNullGraphType<StringGraphType>>("period")
            .ResolveAsync(async context => await context.Grains().GetGrain<IDealerGrain>(Keys.Of(context.Caller().Tenant, context.Source.Id))
                .GetQuotaAsync(context.GetArgument<string>("period")));
    }

    /// <summary>
    /// The order, once the caller may change it. An ADMIN may change every order of its tenant: its order is not read
    /// first (each change refuses an order that does not exist).
    /// </summary>
    private static async Task<IOrderGrain> OrderAsync(IResolveFieldContext context, Func<IResolveFieldContext, string, Task> authorize)
    {
        var grain = context.Grain<IOrderGrain>(context.GetArgument<string>("id"));
        if (context.Caller().Role == Auth.Role.Admin) return grain;
        var order = await grain.GetAsync() ?? throw ChannelException.NotFound($"Order {context.GetArgument<string>("id")}");
        await authorize(context, order.DealerId);
        return grain;
    }
}
