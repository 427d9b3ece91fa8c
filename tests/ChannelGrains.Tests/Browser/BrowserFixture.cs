using ChannelGrains.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ChannelGrains.Tests.Browser;

/// <summary>
/// One real Api process (embedded, in memory) and one headless Chromium from the Debian packages, driven by Playwright.
/// Playwright never downloads a browser here: it launches /usr/bin/chromium.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public AppProcess Api { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: TestResults/browser at the repository root (ignored by git).</summary>
    public static string ArtifactDirectory { get; } = Path.Combine(AppProcess.RepositoryRoot, "TestResults", "browser");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: apt-get install -y chromium chromium-driver (.ci/run does it).");
        var startApi = StartApiAsync();
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        Api = await startApi;
        Directory.CreateDirectory(ArtifactDirectory);
    }

    /// <summary>The Api the page is served by: embedded, in memory, signed with the tests' key.</summary>
    protected virtual Task<AppProcess> StartApiAsync() =>
        AppProcess.StartApiAsync(new Dictionary<string, string> { ["Auth__SigningKey"] = ApiClient.TestSigningKey });

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
        if (Api is not null) await Api.DisposeAsync();
    }
}
