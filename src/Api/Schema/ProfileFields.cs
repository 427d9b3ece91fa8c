using ChannelGrains.Api.Auth;
using ChannelGrains.Common;
using GraphQL;
using GraphQL.Types;

namespace ChannelGrains.Api.Schema;

/// <summary>How the API exposes one kind of master-data record: who may see it and who may change it.</summary>
public sealed record ProfileKind<TInfo>(string Name, Func<TInfo, string> Region, Role OwnerRole, Func<TInfo, string?[]> Owners, Func<Caller, TInfo, bool>? AlsoVisible = null)
{
    /// <summary>Checks, before an upsert writes anything, that the records it names (a store's dealer) exist and the caller may use them.</summary>
    public Func<IResolveFieldContext, IReadOnlyList<TInfo>, Task>? EnsureReferences { get; init; }
}

/// <summary>A query by id, an upsert and its bulk form, for a master-data record held by an <see cref="IProfileGrain{TInfo}"/>.</summary>
public static class ProfileFields
{
    public static void AddProfileQuery<TGrain, TInfo, TType>(this ObjectGraphType query, ProfileKind<TInfo> kind)
        where TGrain : IProfileGrain<TInfo> where TInfo : class, IProfile<TInfo> where TType : IGraphType
    {
        query.Field<TType>(Camel(kind.Name))
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async context =>
            {
                var caller = context.Caller();
                var record = await context.Grain<TGrain>(context.GetArgument<string>("id")).GetAsync();
                if (record is not null && kind.AlsoVisible?.Invoke(caller, record) != true)
                    Access.EnsureCanSee(caller, kind.Region(record), kind.OwnerRole, kind.Owners(record));
                return record;
            });
    }

    public static void AddProfileMutations<TGrain, TInfo, TType, TInputType>(this ObjectGraphType mutation, ProfileKind<TInfo> kind)
        where TGrain : IProfileGrain<TInfo> where TInfo : class, IProfile<TInfo> where TType : IGraphType where TInputType : IGraphType
    {
        mutation.Field<NonNullGraphType<TType>>($"upsert{kind.Name}")
            .Argument<NonNullGraphType<TInputType>>("input")
            .ResolveAsync(async context =>
            {
                var outcome = (await UpsertAsync<TGrain, TInfo>(context, kind, [context.GetArgument<TInfo>("input")]))[0];
                return outcome.Value ?? throw outcome.Error!;
            });

        mutation.Field<NonNullGraphType<ListGraphType<TType>>>($"upsert{kind.Name}s")
            .Description($"Bulk form of upsert{kind.Name}: up to {Bulk.MaxBatch:N0} records in one request, written in parallel. A malformed record refuses the whole batch.")
            .Argument<NonNullGraphType<ListGraphType<NonNullGraphType<TInputType>>>>("inputs")
            .ResolveAsync(async context => BulkResults.Report(context, await UpsertAsync<TGrain, TInfo>(context, kind, context.GetArgument<List<TInfo>>("inputs"))));
    }

    private static async Task<IReadOnlyList<UpsertOutcome<TInfo>>> UpsertAsync<TGrain, TInfo>(IResolveFieldContext context, ProfileKind<TInfo> kind, IReadOnlyList<TInfo> batch)
        where TGrain : IProfileGrain<TInfo> where TInfo : class, IProfile<TInfo>
    {
        var caller = context.Caller();
        var grains = context.Grains();
        var validated = Bulk.ValidateAll(batch, r => r.Validated(), r => r.Id);
        await Access.EnsureCanManageAllAsync(caller, validated, kind.Region,
            async r => await grains.GetGrain<TGrain>(Keys.Of(caller.Tenant, r.Id)).GetAsync() is { } current ? kind.Region(current) : null);
        if (kind.EnsureReferences is { } ensureReferences) await ensureReferences(context, validated);
        return await Bulk.UpsertAsync(validated, r => r, r => r.Id, r => grains.GetGrain<TGrain>(Keys.Of(caller.Tenant, r.Id)).UpsertAsync(r));
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
