using ChannelGrains.Api.Schema;
using ChannelGrains.Api.Transport;
using GraphQL;
using GraphQL.Transport;
using GraphQL.Types;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Tests.Transport;

public sealed class ComplexityInputsTests
{
    [Theory]
    [InlineData("mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }")]
    [InlineData("query($r: String!) { channelBreakdown(region: $r, period: \"2026-11\") { topDealers(first: 10) { dealerId } } }")]
    [InlineData("query { items(first: 100) { children(first: 3) { id } } }")]
    [InlineData("query($f: Boolean!) { items { ...F } } fragment F on Item { id @deprecatedish(reason: \"x\") }")]
    public void A_document_taking_no_variable_in_what_complexity_reads_is_fixed(string query) =>
        Assert.Equal(ComplexityVariables.None, ComplexityInputs.Of(Parser.Parse(query)));

    [Theory]
    [InlineData("query($n: Int) { items(first: $n) { id } }", ComplexityVariables.FirstOrLast)]
    [InlineData("query($n: Int) { items { children(last: $n) { id } } }", ComplexityVariables.FirstOrLast)]
    [InlineData("query($n: Int) { items(first: [$n]) { id } }", ComplexityVariables.FirstOrLast)]
    [InlineData("query($n: Int) { items { ...F } } fragment F on Item { children(first: $n) { id } }", ComplexityVariables.FirstOrLast)]
    [InlineData("query($id: ID!) { items(id: $id) { id } }", ComplexityVariables.Id)]
    [InlineData("mutation($id: ID!) { shipOrder(id: $id) { id status } }", ComplexityVariables.Id)]
    [InlineData("query($all: Boolean!) { items { id children @include(if: $all) { id } } }", ComplexityVariables.Directives)]
    [InlineData("query($no: Boolean!) { items { ... on Item @skip(if: $no) { children { id } } } }", ComplexityVariables.Directives)]
    [InlineData("query($no: Boolean!) { items { ...F @skip(if: $no) } } fragment F on Item { children { id } }", ComplexityVariables.Directives)]
    [InlineData("query($all: Boolean!) { items { ...F } } fragment F on Item @include(if: $all) { id }", ComplexityVariables.Directives)]
    [InlineData("query($n: Int, $id: ID, $no: Boolean!) { items(first: $n, id: $id) @skip(if: $no) { id } }",
        ComplexityVariables.FirstOrLast | ComplexityVariables.Id | ComplexityVariables.Directives)]
    public void A_document_taking_a_variable_in_what_complexity_reads_names_it(string query, ComplexityVariables expected) =>
        Assert.Equal(expected, ComplexityInputs.Of(Parser.Parse(query)));

    [Fact]
    public void An_id_counts_only_in_a_schema_with_a_list_field_that_takes_one()
    {
        Assert.False(ComplexityInputs.ListFieldsTakeId(Served())); // shipOrder(id: $id) and the like are measured once

        var query = new ObjectGraphType { Name = "Query" };
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("names").Argument<IdGraphType>("id").Resolve(_ => Array.Empty<string>());
        var withIdList = new Schema { Query = query };
        withIdList.Initialize();
        Assert.True(ComplexityInputs.ListFieldsTakeId(withIdList));
    }

    [Fact]
    public void A_field_with_its_own_complexity_impact_has_every_request_measured()
    {
        Assert.True(ComplexityInputs.DefaultImpactOnly(Served()));

        var query = new ObjectGraphType { Name = "Query" };
        query.Field<ListGraphType<StringGraphType>>("names").Argument<IntGraphType>("limit").WithComplexityImpact(50).Resolve(_ => Array.Empty<string>());
        var custom = new Schema { Query = query };
        custom.Initialize();
        Assert.False(ComplexityInputs.DefaultImpactOnly(custom));
    }

    [Theory]
    [InlineData("mutation($id: ID!) { shipOrder(id: $id) { id status } }", 0)]
    [InlineData("query($r: String!) { channelSummary(region: $r, period: \"2026-11\") { orderCount } }", 0)]
    [InlineData("query($r: String!, $n: Int) { channelBreakdown(region: $r, period: \"2026-11\") { topDealers(first: $n) { dealerId } } }", 2)]
    public void A_passed_document_is_validated_again_only_by_the_rules_its_variables_can_fail(string query, int rulesAfterPassing)
    {
        var schema = Served();
        var executor = new OperationExecutor(new DocumentCache(16, 10_000), Options.Create(new GraphQLTransportOptions()), NullLogger<OperationExecutor>.Instance);
        var operation = executor.Prepare(new GraphQLRequest { Query = query }, out var error)!;
        Assert.Null(error);
        Assert.Contains(executor.RulesFor(operation, schema), rule => rule is ComplexityValidationRule); // never passed: everything

        operation.Document.MarkValidated(null);

        Assert.Equal(rulesAfterPassing, executor.RulesFor(operation, schema).Length);
    }

    private static ISchema Served()
    {
        var served = new ServiceCollection().AddChannelSchema().BuildServiceProvider().GetRequiredService<ISchema>();
        served.Initialize();
        return served;
    }
}
