namespace ChannelGrains.Api.Auth;

/// <summary>
/// <c>dotnet run --project src/Api -- token --tenant acme --role MANAGER --sub m1 --region CN/East [--hours 12]</c>
/// prints a token signed with the configured key (or this machine's development key).
/// </summary>
public static class DevTokenCommand
{
    public static int Run(string[] args, IConfiguration configuration)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) return Usage($"unexpected '{args[i]}'");
            values[args[i][2..]] = args[i + 1];
        }
        var tenant = values.GetValueOrDefault("tenant", "demo");
        if (!Caller.TryParseRole(values.GetValueOrDefault("role", "ADMIN"), out var role)) return Usage("role must be ADMIN, MANAGER, DEALER, AGENT or REP");
        var subject = values.GetValueOrDefault("sub", role == Role.Admin ? "admin" : "");
        var region = values.GetValueOrDefault("region", role == Role.Admin ? "CN" : "");
        if (subject.Length == 0) return Usage("--sub is required for this role (the dealer, agent or rep id, or the manager's id)");
        if (role == Role.Manager && region.Length == 0) return Usage("--region is required for a MANAGER");
        if (!double.TryParse(values.GetValueOrDefault("hours", "12"), System.Globalization.CultureInfo.InvariantCulture, out var hours) || hours <= 0)
            return Usage("--hours must be a positive number");

        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var key = SigningKeys.Resolve(options, allowDevelopmentKey: true);
        Console.WriteLine(TokenService.Issue(options, key, tenant, role, subject, region, TimeSpan.FromHours(hours)));
        return 0;
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine($"token: {problem}");
        Console.Error.WriteLine("usage: token --tenant <tenant> --role ADMIN|MANAGER|DEALER|AGENT|REP --sub <id> [--region <path>] [--hours <n>]");
        return 2;
    }
}
