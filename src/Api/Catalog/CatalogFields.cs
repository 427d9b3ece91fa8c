using ChannelGrains.Api.Auth;
using ChannelGrains.Api.Schema;
using ChannelGrains.Catalog;
using ChannelGrains.Common;
using GraphQL;
using GraphQL.Types;

namespace ChannelGrains.Api.Catalog;

/// <summary>The product catalogue: every caller of a tenant reads it, only an ADMIN changes it.</summary>
public static class CatalogFields
{
    public static void AddCatalogQueries(this ObjectGraphType query)
    {
        query.Field<ProductType>("product")
            .Argument<NonNullGraphType<IdGraphType>>("sku")
            .ResolveAsync(async context => await context.Grain<IProductGrain>(context.GetArgument<string>("sku")).GetAsync());
    }

    public static void AddCatalogMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<ProductType>>("upsertProduct")
            .Argument<NonNullGraphType<ProductInputType>>("input")
            .ResolveAsync(async context =>
            {
                Access.EnsureAdmin(context.Caller());
                var input = ProductRules.Validated(context.GetArgument<ProductInfo>("input"));
                return await context.Grain<IProductGrain>(input.Sku).UpsertAsync(input);
            });

        mutation.Field<NonNullGraphType<ListGraphType<ProductType>>>("upsertProducts")
            .Description("Bulk form of upsertProduct: up to 1,000 products in one request, written in parallel. A malformed record refuses the whole batch.")
            .Argument<NonNullGraphType<ListGraphType<NonNullGraphType<ProductInputType>>>>("inputs")
            .ResolveAsync(async context =>
            {
                var caller = context.Caller();
                Access.EnsureAdmin(caller);
                var outcomes = await Bulk.UpsertAsync(context.GetArgument<List<ProductInfo>>("inputs"), ProductRules.Validated, p => p.Sku,
                    input => context.Grains().GetGrain<IProductGrain>(Keys.Of(caller.Tenant, input.Sku)).UpsertAsync(input));
                return BulkResults.Report(context, outcomes);
            });

        mutation.Field<NonNullGraphType<ProductType>>("adjustStock")
            .Description("Goods received (positive delta) or written off (negative); on-hand never drops below reserved. " +
                "With a requestId it is applied once: asked again it answers the product as it is (the product remembers its latest 256).")
            .Argument<NonNullGraphType<IdGraphType>>("sku")
            .Argument<NonNullGraphType<IntGraphType>>("delta")
            .Argument<NonNullGraphType<StringGraphType>>("reason")
            .Argument<IdGraphType>("requestId")
            .ResolveAsync(async context =>
            {
                Access.EnsureAdmin(context.Caller());
                return await context.Grain<IProductGrain>(context.GetArgument<string>("sku")).AdjustStockAsync(
                    context.GetArgument<int>("delta"), context.GetArgument<string>("reason"), context.GetArgument<string?>("requestId"));
            });
    }
}
