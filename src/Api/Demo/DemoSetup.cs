namespace ChannelGrains.Api.Demo;

public static class DemoSetup
{
    /// <summary>
    /// With <c>Demo:Enabled</c> (<c>--demo</c>): the demo service, and logs at Warning (Error while seeding) so the
    /// progress bar and the printed links stay readable. Only the embedded mode seeds: a cluster's data is loaded by its integrators.
    /// </summary>
    public static WebApplicationBuilder AddChannelDemo(this WebApplicationBuilder builder, bool embedded)
    {
        var options = builder.Configuration.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new DemoOptions();
        if (!options.Enabled) return builder;
        if (!embedded) throw new InvalidOperationException("--demo runs in the embedded mode only (an in-process silo), not with Orleans:Mode=Client.");
        options.Validate();
        builder.Services.Configure<DemoOptions>(builder.Configuration.GetSection(DemoOptions.Section));
        builder.Services.AddHostedService<DemoService>();
        var gate = new DemoLogGate();
        builder.Services.AddSingleton(gate);
        // The same categories as appsettings.json, so these rules (added later) take their place.
        foreach (var category in new[] { null, "Orleans", "Microsoft", "Microsoft.AspNetCore", "Polly" })
            builder.Logging.AddFilter(category, level => level >= gate.MinLevel);
        return builder;
    }
}

/// <summary>
/// The demo logs at Warning, and at Error while it seeds: a loaded silo warns about slow turns, which would scribble
/// over the progress bar.
/// </summary>
public sealed class DemoLogGate
{
    private volatile int minLevel = (int)LogLevel.Warning;

    public LogLevel MinLevel => (LogLevel)minLevel;

    public IDisposable Seeding()
    {
        minLevel = (int)LogLevel.Error;
        return new Reopen(this);
    }

    private sealed class Reopen(DemoLogGate gate) : IDisposable
    {
        public void Dispose() => gate.minLevel = (int)LogLevel.Warning;
    }
}
