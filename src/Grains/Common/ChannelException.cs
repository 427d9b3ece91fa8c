namespace ChannelGrains.Common;

/// <summary>The error codes of the contract (contract/schema.graphql); the API puts them in <c>extensions.code</c>.</summary>
public static class ErrorCodes
{
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string Forbidden = "FORBIDDEN";
    public const string NotFound = "NOT_FOUND";
    public const string Validation = "VALIDATION";
    public const string InvalidTransition = "INVALID_TRANSITION";
    public const string InsufficientStock = "INSUFFICIENT_STOCK";
    public const string CreditLimitExceeded = "CREDIT_LIMIT_EXCEEDED";
    public const string PriceBelowFloor = "PRICE_BELOW_FLOOR";
    public const string NotAuthorized = "NOT_AUTHORIZED";
    public const string NotEligible = "NOT_ELIGIBLE";
    public const string BudgetExceeded = "BUDGET_EXCEEDED";
    public const string RegistrationConflict = "REGISTRATION_CONFLICT";
    public const string GeofenceViolation = "GEOFENCE_VIOLATION";
}

/// <summary>A refused command. Thrown before any state changes, so a refusal always changes nothing.</summary>
[GenerateSerializer, Alias("ChannelGrains.ChannelException")]
public sealed class ChannelException : Exception
{
    public ChannelException(string code, string message) : base(message) => Code = code;

    [Id(0)] public string Code { get; }

    public static ChannelException Validation(string message) => new(ErrorCodes.Validation, message);

    public static ChannelException NotFound(string what) => new(ErrorCodes.NotFound, $"{what} does not exist.");

    /// <summary>An enum value as the API names it (<c>PendingApproval</c> is <c>PENDING_APPROVAL</c>), for messages.</summary>
    public static string ApiName<T>(T value) where T : struct, Enum
    {
        var name = value.ToString();
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1])) text.Append('_');
            text.Append(char.ToUpperInvariant(name[i]));
        }
        return text.ToString();
    }
}
