using System.Security.Claims;
using ChannelGrains.Api.Auth;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Transport;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.Extensions.Options;

namespace ChannelGrains.Api.Transport;

/// <summary>A request whose document parsed; <see cref="Kind"/> is null when no operation matches the operation name.</summary>
public sealed record PreparedOperation(GraphQLRequest Request, DocumentCache.Entry Document, OperationType? Kind);

/// <summary>
/// What both transports share: parse through the document cache, pick the validation rules, execute with the
/// caller's principal and services. Knows nothing of the domain: the schema and executer come from DI.
/// </summary>
public sealed class OperationExecutor
{
    private readonly DocumentCache _cache;
    private readonly ILogger<OperationExecutor> _logger;
    private readonly IValidationRule[] _fullRules;
    private readonly IValidationRule[] _cachedDocumentRules;
    private readonly IValidationRule[] _fixedComplexityRules;
    private readonly GraphQLTransportOptions _options;

    public OperationExecutor(DocumentCache cache, IOptions<GraphQLTransportOptions> options, ILogger<OperationExecutor> logger)
    {
        _cache = cache;
        _logger = logger;
        _options = options.Value;
        var complexity = new ComplexityValidationRule(new ComplexityOptions
        {
            MaxDepth = options.Value.MaxDepth,
            MaxComplexity = options.Value.MaxComplexity,
        });
        _fullRules = [.. DocumentValidator.CoreRules, complexity];
        // Once a document passed, only the rules that read variable values run again: argument validators and
        // complexity (a list's cost follows its first/last argument, which may be a variable).
        _cachedDocumentRules = [FieldArgumentsAreValidRule.Instance, complexity];
        // A document whose complexity takes no variable (most: mutations take their input as a variable, lists a
        // literal page size) keeps the one it was measured with; argument validators, when the schema has any, still run.
        _fixedComplexityRules = [FieldArgumentsAreValidRule.Instance];
    }

    /// <summary>The validation rules for this request: all of them until its operation once passed, then those its variables can fail.</summary>
    public IValidationRule[] RulesFor(PreparedOperation operation, ISchema schema)
    {
        if (!operation.Document.IsValidated(operation.Request.OperationName)) return _fullRules;
        var facts = FactsOf(schema);
        if (facts.MeasureAlways || (operation.Document.ComplexityVariables & ~facts.Ignored) != ComplexityVariables.None) return _cachedDocumentRules;
        return schema.GetMetadata<bool>(FieldArgumentsAreValidRule.HAS_FIELD_ARGUMENT_VALIDATION_KEY) ? _fixedComplexityRules : [];
    }

    /// <summary>What of <see cref="ComplexityInputs"/> holds for this schema, found once per schema.</summary>
    private SchemaFacts FactsOf(ISchema schema)
    {
        var facts = _schemaFacts;
        if (facts?.Schema != schema)
        {
            _schemaFacts = facts = new SchemaFacts(schema,
                MeasureAlways: !ComplexityInputs.DefaultImpactOnly(schema),
                Ignored: ComplexityInputs.ListFieldsTakeId(schema) ? ComplexityVariables.None : ComplexityVariables.Id);
        }
        return facts;
    }

    /// <param name="MeasureAlways">A field has its own complexity impact, which may read any argument.</param>
    /// <param name="Ignored">Inputs that cannot change a complexity here: an id, when no list field takes one.</param>
    private sealed record SchemaFacts(ISchema Schema, bool MeasureAlways, ComplexityVariables Ignored);

    private SchemaFacts? _schemaFacts;

    /// <summary>Parses the query (or takes it from the cache); a document that does not parse gives the error instead.</summary>
    public PreparedOperation? Prepare(GraphQLRequest request, out ExecutionError? parseError)
    {
        parseError = null;
        var query = request.Query ?? "";
        var entry = _cache.Get(query);
        if (entry is null)
        {
            GraphQLDocument document;
            try
            {
                document = Parser.Parse(query, new ParserOptions { Ignore = IgnoreOptions.Comments });
            }
            catch (GraphQLSyntaxErrorException ex)
            {
                parseError = new SyntaxError(ex);
                return null;
            }
            catch (GraphQLMaxDepthExceededException)
            {
                parseError = new DocumentTooDeepError();
                return null;
            }
            if (DocumentWidth.Excess(document, _options.MaxSelections, _options.MaxSameName) is { } excess)
            {
                parseError = new DocumentTooWideError(excess);
                return null;
            }
            entry = _cache.Add(query, document);
        }
        return new PreparedOperation(request, entry, FindOperation(entry.Document, request.OperationName)?.Operation);
    }

    public async Task<ExecutionResult> ExecuteAsync(PreparedOperation operation, ClaimsPrincipal user, IServiceProvider services, CancellationToken cancellationToken)
    {
        var request = operation.Request;
        var schema = services.GetRequiredService<ISchema>();
        var rules = RulesFor(operation, schema);
        var options = new ExecutionOptions
        {
            Schema = schema,
            Query = request.Query,
            Document = operation.Document.Document,
            OperationName = request.OperationName,
            Variables = request.Variables,
            Extensions = request.Extensions,
            User = user,
            UserContext = new CallerUserContext(user),
            RequestServices = services,
            CancellationToken = cancellationToken,
            ValidationRules = rules,
            CachedDocumentValidationRules = rules,
        };
        var result = await services.GetRequiredService<IDocumentExecuter>().ExecuteAsync(options);
        if (result.Executed) operation.Document.MarkValidated(request.OperationName);
        return result;
    }

    private static GraphQLOperationDefinition? FindOperation(GraphQLDocument document, string? name)
    {
        GraphQLOperationDefinition? match = null;
        foreach (var definition in document.Definitions)
        {
            if (definition is not GraphQLOperationDefinition candidate) continue;
            if (name is null)
            {
                if (match is not null) return null; // ambiguous: the executer reports it
                match = candidate;
            }
            else if (candidate.Name is not null && candidate.Name == name)
            {
                return candidate;
            }
        }
        return match;
    }
}

/// <summary>The parser's own nesting limit (far above <see cref="GraphQLTransportOptions.MaxDepth"/>) protects its stack.</summary>
public sealed class DocumentTooDeepError : DocumentError
{
    public DocumentTooDeepError() : base("The document is nested too deeply to parse.") => Code = "MAX_DEPTH_EXCEEDED";
}
