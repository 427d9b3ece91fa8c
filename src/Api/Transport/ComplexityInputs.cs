using GraphQL;
using GraphQL.Types;
using GraphQLParser.AST;

namespace ChannelGrains.Api.Transport;

/// <summary>What a document's complexity reads from its variables.</summary>
[Flags]
public enum ComplexityVariables
{
    None = 0,
    /// <summary>A directive takes a variable: <c>@skip</c> and <c>@include</c> decide which selections count.</summary>
    Directives = 1,
    /// <summary>A <c>first</c> or <c>last</c> argument takes one: the size of a list, or of the list under a connection.</summary>
    FirstOrLast = 2,
    /// <summary>An <c>id</c> argument takes one: a list field given an id counts as one item.</summary>
    Id = 4,
}

/// <summary>
/// Whether a document's complexity can change with its variables. The complexity rule (GraphQL.NET's default field
/// impact, the only one this schema uses) reads the values of the arguments <c>first</c> and <c>last</c>, the value of
/// <c>id</c> on a list field, and counts only the selections that <c>@skip</c> and <c>@include</c> keep. A document that
/// takes a variable in none of those has one complexity whatever the request sends, so once it passed it need not be
/// measured again.
/// </summary>
public static class ComplexityInputs
{
    /// <summary>Read from the document alone: which of the inputs the complexity rule reads take a variable.</summary>
    public static ComplexityVariables Of(GraphQLDocument document)
    {
        var found = ComplexityVariables.None;
        foreach (var definition in document.Definitions)
        {
            if (definition is GraphQLOperationDefinition operation) found |= InSelections(operation.SelectionSet);
            else if (definition is GraphQLFragmentDefinition fragment) found |= InDirectives(fragment.Directives) | InSelections(fragment.SelectionSet);
        }
        return found;
    }

    /// <summary>
    /// Whether every field outside introspection uses the default complexity impact, the one described above. A field
    /// with its own may read any argument: then every request is measured.
    /// </summary>
    public static bool DefaultImpactOnly(ISchema schema) => !schema.AllTypes.OfType<IComplexGraphType>()
        .Where(type => !type.Name.StartsWith("__", StringComparison.Ordinal))
        .SelectMany(type => type.Fields)
        .Any(field => field.GetComplexityImpactDelegate() is not null);

    /// <summary>Whether any field of the schema that returns a list has an <c>id</c> argument: if none does, an id never counts.</summary>
    public static bool ListFieldsTakeId(ISchema schema) => schema.AllTypes.OfType<IComplexGraphType>()
        .SelectMany(type => type.Fields)
        .Any(field => field.Arguments?.Find("id") is not null && Unwrapped(field.ResolvedType) is ListGraphType);

    private static IGraphType? Unwrapped(IGraphType? type) => type is NonNullGraphType nonNull ? nonNull.ResolvedType : type;

    private static ComplexityVariables InSelections(GraphQLSelectionSet? selections)
    {
        var found = ComplexityVariables.None;
        if (selections is null) return found;
        foreach (var selection in selections.Selections)
        {
            found |= selection switch
            {
                GraphQLField field => InDirectives(field.Directives) | InArguments(field.Arguments) | InSelections(field.SelectionSet),
                GraphQLInlineFragment inline => InDirectives(inline.Directives) | InSelections(inline.SelectionSet),
                GraphQLFragmentSpread spread => InDirectives(spread.Directives),
                _ => ComplexityVariables.Directives, // a selection kind this walk does not know: measure every time
            };
        }
        return found;
    }

    private static ComplexityVariables InArguments(GraphQLArguments? arguments)
    {
        var found = ComplexityVariables.None;
        if (arguments is null) return found;
        foreach (var argument in arguments.Items)
        {
            if (!HasVariable(argument.Value)) continue;
            if (argument.Name == "first" || argument.Name == "last") found |= ComplexityVariables.FirstOrLast;
            else if (argument.Name == "id") found |= ComplexityVariables.Id;
        }
        return found;
    }

    /// <summary>Any directive with a variable: @skip and @include decide what is counted, and any other is taken as doing so too.</summary>
    private static ComplexityVariables InDirectives(GraphQLDirectives? directives)
    {
        if (directives is null) return ComplexityVariables.None;
        foreach (var directive in directives.Items)
        {
            if (directive.Arguments is null) continue;
            foreach (var argument in directive.Arguments.Items)
            {
                if (HasVariable(argument.Value)) return ComplexityVariables.Directives;
            }
        }
        return ComplexityVariables.None;
    }

    private static bool HasVariable(GraphQLValue value) => value switch
    {
        GraphQLVariable => true,
        GraphQLListValue list => list.Values?.Any(HasVariable) ?? false,
        GraphQLObjectValue obj => obj.Fields?.Any(f => HasVariable(f.Value)) ?? false,
        _ => false,
    };
}
