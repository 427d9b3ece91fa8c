using ChannelGrains.Api.Schema;
using GraphQL;
using GraphQL.Types;
using GraphQLParser;
using GraphQLParser.AST;
using Microsoft.Extensions.DependencyInjection;

namespace ChannelGrains.Tests.Api;

/// <summary>The served schema holds every name of contract/schema.graphql, but those of features still to come.</summary>
public sealed class ContractTests
{
    /// <summary>Contract names that later issues bring; this list only ever shrinks.</summary>
    private static readonly HashSet<string> NotYetServed =
    [
        "Query.lead", "Query.registration", "Query.visit", "Query.promotion",
        "Mutation.createLead", "Mutation.assignLead", "Mutation.logLeadActivity", "Mutation.registerCustomer",
        "Mutation.planVisit", "Mutation.checkIn", "Mutation.completeVisitStep", "Mutation.checkOut", "Mutation.createPromotion",
        "Mutation.applyForFunds", "Subscription.promotionChanged",
        "Agent.leads", "Agent.registrations", "Agent.quota", "Rep.visits", "Rep.quota",
        "LeadStatus", "RegistrationStatus", "VisitStatus", "ApplicationStatus",
        "Lead", "LeadInput", "Registration", "RegistrationInput", "Visit", "PlanVisitInput", "CheckInInput", "Promotion",
        "PromotionInput", "FundApplication", "FundApplicationInput",
    ];

    [Fact]
    public void Served_schema_contains_every_contract_name_of_the_features_built_so_far()
    {
        var served = ServedSchema();
        var missing = new List<string>();
        foreach (var definition in Parser.Parse(File.ReadAllText(ContractPath())).Definitions)
        {
            switch (definition)
            {
                case GraphQLObjectTypeDefinition type:
                    CheckFields(served, type.Name.StringValue, type.Fields?.Select(f => (f.Name.StringValue, f.Arguments?.Select(a => a.Name.StringValue))), missing);
                    break;
                case GraphQLInputObjectTypeDefinition input:
                    CheckFields(served, input.Name.StringValue, input.Fields?.Select(f => (f.Name.StringValue, (IEnumerable<string>?)null)), missing);
                    break;
                case GraphQLEnumTypeDefinition enumType when !NotYetServed.Contains(enumType.Name.StringValue):
                    var values = (served.AllTypes[enumType.Name.StringValue] as EnumerationGraphType)?.Values.Select(v => v.Name).ToHashSet();
                    missing.AddRange(enumType.Values!.Select(v => v.Name.StringValue).Where(v => values?.Contains(v) != true).Select(v => $"{enumType.Name.StringValue}.{v}"));
                    break;
                case GraphQLScalarTypeDefinition scalar when served.AllTypes[scalar.Name.StringValue] is null:
                    missing.Add(scalar.Name.StringValue);
                    break;
            }
        }
        Assert.Empty(missing);
    }

    private static void CheckFields(ISchema served, string typeName, IEnumerable<(string Name, IEnumerable<string>? Arguments)>? fields, List<string> missing)
    {
        if (NotYetServed.Contains(typeName)) return;
        if (served.AllTypes[typeName] is not IComplexGraphType type)
        {
            missing.Add(typeName);
            return;
        }
        foreach (var (name, arguments) in fields ?? [])
        {
            if (NotYetServed.Contains($"{typeName}.{name}")) continue;
            var field = type.GetField(name);
            if (field is null) missing.Add($"{typeName}.{name}");
            else missing.AddRange((arguments ?? []).Where(a => field.Arguments?.Find(a) is null).Select(a => $"{typeName}.{name}({a})"));
        }
    }

    private static ISchema ServedSchema()
    {
        var services = new ServiceCollection().AddChannelSchema().BuildServiceProvider();
        var schema = services.GetRequiredService<ISchema>();
        schema.Initialize();
        return schema;
    }

    private static string ContractPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "contract", "schema.graphql");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("contract/schema.graphql was not found above the test directory.");
    }
}
