using ChannelGrains.Api.Schema;
using ChannelGrains.Api.Transport;
using GraphQL;
using GraphQL.Types;
using GraphQLParser;
using Microsoft.Extensions.DependencyInjection;

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
        var served = new ServiceCollection().AddChannelSchema().BuildServiceProvider().GetRequiredService<ISchema>();
        served.Initialize();
        Assert.False(ComplexityInputs.ListFieldsTakeId(served)); // shipOrder(id: $id) and the like are measured once

        var query = new ObjectGraphType { Name = "Query" };
        query.Field<ListGraphType<StringGraphType>>("names").Argument<IdGraphType>("id").Resolve(_ => Array.Empty<string>());
        var withIdList = new Schema { Query = query };
        withIdList.Initialize();
        Assert.True(ComplexityInputs.ListFieldsTakeId(withIdList));
    }
}
