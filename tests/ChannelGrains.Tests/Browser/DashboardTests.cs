using System.Globalization;
using System.Web;
using ChannelGrains.Api.Auth;
using ChannelGrains.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ChannelGrains.Tests.Browser;

/// <summary>The dashboard at / in a real Chromium against a real Api process: what a channel manager sees and may see.</summary>
public sealed class DashboardTests(BrowserFixture fixture, ITestOutputHelper output) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly DashboardChannel channel = new(fixture.Api.BaseAddress);
    private readonly List<string> consoleErrors = [];
    private IBrowserContext context = null!;
    private IPage page = null!;

    public async Task InitializeAsync()
    {
        await channel.SeedAsync();
        await channel.SettledAsync("CN", 4);
        // The channel's managers are in China: the page shows local times in their zone, not the test machine's.
        context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 }, TimezoneId = "Asia/Shanghai" });
        page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") consoleErrors.Add(message.Text);
        };
        page.PageError += (_, error) => consoleErrors.Add(error);
    }

    public async Task DisposeAsync()
    {
        await context.CloseAsync();
        channel.Dispose();
    }

    private ILocator Tile(string figure) => page.Locator($"#tiles [data-figure={figure}] .value");

    private Task OpenAsync(string token, string? region = null, string? period = null) =>
        page.GotoAsync(new Uri(fixture.Api.BaseAddress, $"/?token={token}" + (region is null ? "" : $"&region={Uri.EscapeDataString(region)}")
            + (period is null ? "" : $"&period={period}")).ToString());

    /// <summary>The region and period a link's href opens.</summary>
    private async Task<(string? Region, string? Period)> ViewOfAsync(ILocator link)
    {
        var href = await link.GetAttributeAsync("href");
        Assert.False(string.IsNullOrEmpty(href) || href.StartsWith('#'), $"the link leads nowhere: href=\"{href}\"");
        var view = HttpUtility.ParseQueryString(new Uri(new Uri(page.Url), href).Query);
        return (view["region"], view["period"]);
    }

    [Fact]
    public async Task Page_loads_the_admin_summary_without_console_errors()
    {
        await OpenAsync(channel.AdminToken);

        await Expect(Tile("orderCount")).ToHaveTextAsync("4");
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        await Expect(page.Locator("#children a[data-region='CN/East']")).ToBeVisibleAsync();
        await Expect(page.Locator("#children a[data-region='CN/North']")).ToBeVisibleAsync();
        await Expect(page.Locator("#top-dealers tbody tr").First).ToContainTextAsync("E1");
        await Expect(page.Locator("#demand tbody tr").First).ToContainTextAsync("TEA");
        await Expect(page.Locator("#feed-scope")).ToContainTextAsync("3 dealers followed");
        await Expect(page.Locator("#feed li[data-order='O-N1-1']")).ToContainTextAsync("CONFIRMED");
        await Expect(page.Locator("#trend-chart")).ToHaveAttributeAsync("data-points", "13");
        await Expect(page.Locator("#trend-chart")).ToHaveAttributeAsync("data-current-month", DashboardChannel.Month);
        await Expect(page.Locator("#trend-chart")).ToHaveAttributeAsync("data-current-sell-in", "1620");
        await Expect(page.Locator("#trend-chart")).ToHaveAttributeAsync("data-current-sell-out", "150");

        var screenshot = Path.Combine(BrowserFixture.ArtifactDirectory, "dashboard-admin.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        output.WriteLine($"screenshot: {screenshot}");
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task An_order_placed_through_the_API_shows_on_the_page_without_a_reload()
    {
        await OpenAsync(channel.AdminToken);
        await Expect(Tile("orderCount")).ToHaveTextAsync("4");
        await Expect(page.Locator("#feed-scope")).ToContainTextAsync("3 dealers followed");

        await channel.PlaceAsync("O-N1-live", "N1", 5);

        await Expect(Tile("orderCount")).ToHaveTextAsync("5");
        await Expect(page.Locator("#feed li[data-order='O-N1-live']")).ToContainTextAsync("CONFIRMED");
        await Expect(page.Locator("#trend-chart")).ToHaveAttributeAsync("data-current-sell-in", "1670");
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task Clicking_a_child_region_drills_down_and_the_breadcrumb_goes_back_up()
    {
        await OpenAsync(channel.AdminToken);
        await Expect(Tile("orderCount")).ToHaveTextAsync("4");

        await page.Locator("#children a[data-region='CN/East']").ClickAsync();

        await Expect(page.Locator("#crumbs")).ToHaveTextAsync("CNEast");
        await Expect(Tile("orderCount")).ToHaveTextAsync("3");
        await Expect(page.Locator("#children a[data-region='CN/East/Shanghai']")).ToBeVisibleAsync();
        await Expect(page.Locator("#children a[data-region='CN/North']")).ToHaveCountAsync(0);

        await page.Locator("#crumbs a[data-region='CN']").ClickAsync();

        await Expect(Tile("orderCount")).ToHaveTextAsync("4");
        await Expect(page.Locator("#children a[data-region='CN/North']")).ToBeVisibleAsync();
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task A_CN_East_manager_starts_at_its_region_and_is_forbidden_CN_North()
    {
        var manager = channel.ManagerToken("CN/East");

        await OpenAsync(manager);
        await Expect(page.Locator("#crumbs")).ToHaveTextAsync("CNEast");
        await Expect(Tile("orderCount")).ToHaveTextAsync("3");
        await Expect(page.Locator("#children a[data-region='CN/North']")).ToHaveCountAsync(0);

        await OpenAsync(manager, "CN/North");

        await Expect(page.Locator("#problem")).ToContainTextAsync("Forbidden");
        await Expect(page.Locator("#figures")).ToBeHiddenAsync();
        Assert.Equal(0, await page.Locator("#tiles .tile").CountAsync());
        Assert.Equal(0, await page.Locator("#children a").CountAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactDirectory, "dashboard-manager-forbidden.png") });
    }

    [Fact]
    public async Task A_dropped_connection_shows_offline_then_reconnects_and_resubscribes()
    {
        var sockets = new List<IWebSocketRoute>();
        var refuse = false;
        await page.RouteWebSocketAsync("**/graphql", async socket =>
        {
            if (refuse)
            {
                await socket.CloseAsync(new() { Code = 1012, Reason = "server restarting" });
                return;
            }
            socket.ConnectToServer();
            lock (sockets) sockets.Add(socket);
        });
        await OpenAsync(channel.AdminToken);
        await Expect(Tile("orderCount")).ToHaveTextAsync("4");
        await Expect(page.Locator("#feed-scope")).ToContainTextAsync("3 dealers followed");

        refuse = true;
        IWebSocketRoute[] open;
        lock (sockets) open = [.. sockets];
        foreach (var socket in open) await socket.CloseAsync(new() { Code = 1012, Reason = "server restarting" });

        await Expect(page.Locator("#status")).ToHaveTextAsync("offline — reconnecting");
        await Expect(page.Locator("#feed li[data-order='O-E2-1']")).ToHaveAttributeAsync("data-status", "CONFIRMED");
        await channel.ShipAsync("O-E2-1");
        await channel.PlaceAsync("O-E2-offline", "E2", 5);
        refuse = false;

        await Expect(page.Locator("#status")).ToHaveTextAsync("live", new() { Timeout = 15_000 });
        await Expect(Tile("orderCount")).ToHaveTextAsync("5");
        // Resubscribed, the feed starts with each dealer's latest order: the one placed while offline.
        await Expect(page.Locator("#feed li[data-order='O-E2-offline']")).ToBeVisibleAsync(new() { Timeout = 5000 });
        // An older order that changed while offline comes with the refresh after the reconnect.
        await Expect(page.Locator("#feed li[data-order='O-E2-1']")).ToHaveAttributeAsync("data-status", "SHIPPED", new() { Timeout = 5000 });
        await channel.PlaceAsync("O-E2-back", "E2", 5);
        await Expect(Tile("orderCount")).ToHaveTextAsync("6");
        await Expect(page.Locator("#feed li[data-order='O-E2-back']")).ToBeVisibleAsync();
    }

    /// <summary>The connection state and the notices are announced by screen readers, and the token field is labelled.</summary>
    [Fact]
    public async Task Status_and_notices_are_announced_and_the_token_field_is_labelled()
    {
        await OpenAsync(channel.AdminToken, "CN/East/" + new string('X', 600));

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("is not a region path");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("live", new() { Timeout = 15_000 });

        await OpenAsync("not-a-token");

        await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Token")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_token_the_server_refuses_asks_to_sign_in_again()
    {
        var forged = TokenService.Issue(new AuthOptions(), "another-key-that-is-long-enough-to-sign-0123456789", channel.Tenant, Role.Admin, "admin", "CN", TimeSpan.FromHours(1));

        await OpenAsync(forged);

        await Expect(page.Locator("#login-reason")).ToContainTextAsync("Sign in again");
        await Expect(page.Locator("#board")).ToBeHiddenAsync();
        await page.WaitForTimeoutAsync(1000);
        // The refused token's 401 is logged by Chromium; nothing else may be (an uncaught CloseEvent was).
        Assert.DoesNotContain(consoleErrors, e => !e.Contains("401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_that_failed_while_the_server_was_unreachable_stops_showing_once_a_request_succeeds()
    {
        var unreachable = false;
        await page.RouteAsync("**/graphql", async route =>
        {
            if (unreachable) await route.AbortAsync("connectionrefused");
            else await route.ContinueAsync();
        });
        await OpenAsync(channel.AdminToken);
        await Expect(Tile("orderCount")).ToHaveTextAsync("4");

        unreachable = true;
        await channel.PlaceAsync("O-N1-unreachable", "N1", 5);
        await Expect(page.Locator("#problem")).ToBeVisibleAsync();

        unreachable = false;
        await channel.PlaceAsync("O-N1-reachable", "N1", 5);
        await Expect(Tile("orderCount")).ToHaveTextAsync("6");
        await Expect(page.Locator("#children a[data-region='CN/North']")).ToContainTextAsync("North");
        await Expect(page.Locator("#problem")).ToBeHiddenAsync();
        await Expect(page.Locator("#figures")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_followed_dealer_moved_out_of_the_managers_region_leaves_the_feed_not_the_page()
    {
        await OpenAsync(channel.ManagerToken("CN/East"));
        await Expect(Tile("orderCount")).ToHaveTextAsync("3");
        await Expect(page.Locator("#feed-scope")).ToContainTextAsync("2 dealers followed");

        var moved = await channel.Admin.PostAsync("mutation($input: DealerInput!) { upsertDealer(input: $input) { id } }", new
        {
            input = new { id = "E2", name = "E2", region = "CN/North/Beijing", tier = "VALUE", status = "ADMITTED", creditLimit = 1_000_000m, authorizedSkus = new[] { "TEA", "RICE" } },
        });
        Assert.True(moved.ErrorCode() is null, moved.ToString());
        await channel.PlaceAsync("O-E2-moved", "E2", 5);
        await channel.PlaceAsync("O-E1-after", "E1", 5);

        await Expect(page.Locator("#feed li[data-order='O-E1-after']")).ToBeVisibleAsync();
        await Expect(page.Locator("#problem")).ToBeHiddenAsync();
        await Expect(page.Locator("#figures")).ToBeVisibleAsync();
        await Expect(page.Locator("#feed li[data-order='O-E2-moved']")).ToHaveCountAsync(0);
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
    }

    [Fact]
    public async Task An_empty_region_starts_at_CN_and_a_very_long_one_does_not_widen_the_page()
    {
        await OpenAsync(channel.AdminToken, "");
        await Expect(Tile("orderCount")).ToHaveTextAsync("4");
        await Expect(page.Locator("#crumbs")).ToHaveTextAsync("CN");

        var dealer = ApiClient.Token(Callers.Dealer(channel.Tenant, "E1"));
        await OpenAsync(dealer);
        await Expect(page.Locator("#problem")).ToContainTextAsync("Forbidden: your token may not see CN");

        await page.SetViewportSizeAsync(800, 900);
        await OpenAsync(channel.AdminToken, "CN/East/" + new string('X', 600));
        await Expect(page.Locator("#problem")).ToContainTextAsync("is not a region path");
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            $"the page is {await page.EvaluateAsync<int>("document.documentElement.scrollWidth")} px wide in a window of 800");
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task Demand_shows_the_dealer_stock_of_the_tiles_and_the_page_fits_a_phone()
    {
        await page.SetViewportSizeAsync(375, 800);
        await OpenAsync(channel.AdminToken);
        await Expect(Tile("orderCount")).ToHaveTextAsync("4");
        await Expect(Tile("channelStockUnits")).ToHaveTextAsync("20");

        // The tile counts the region's dealer stock; so does the demand table (not the 100,000-unit manufacturer stock).
        var tea = page.Locator("#demand tbody tr").Filter(new() { HasText = "TEA" });
        await Expect(tea.Locator("td").Nth(1)).ToHaveTextAsync("20");
        await Expect(page.Locator("#trend-chart")).ToHaveAttributeAsync("data-points", "13");
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            $"the page is {await page.EvaluateAsync<int>("document.documentElement.scrollWidth")} px wide in a window of 375");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactDirectory, "dashboard-phone.png"), FullPage = true });
        Assert.Empty(consoleErrors);
    }

    /// <summary>A screen reader cannot read a canvas: each chart's figures are in a table of their own, kept current.</summary>
    [Fact]
    public async Task Each_chart_has_a_table_of_its_figures_that_follows_the_live_data()
    {
        await OpenAsync(channel.AdminToken);
        await Expect(Tile("orderCount")).ToHaveTextAsync("4");

        var trend = page.GetByRole(AriaRole.Table, new() { Name = "Sell-in, sell-out and channel stock by month" });
        await Expect(trend.Locator("tbody tr")).ToHaveCountAsync(13);
        var thisMonth = trend.Locator("tbody tr").Last.Locator("td");
        await Expect(thisMonth).ToHaveTextAsync([$"{DashboardChannel.Month} so far", "1,620.00", "150.00", "20"]);
        var quota = page.GetByRole(AriaRole.Table, new() { Name = "Quota achievement by child region" });
        var north = quota.Locator("tbody tr").Filter(new() { HasText = "North" }).Locator("td");
        await Expect(north).ToHaveTextAsync(["North", "6,000.00", "700.00", "11.7%"]);
        await Expect(quota.Locator("tbody tr").Filter(new() { HasText = "East" }).Locator("td")).ToHaveTextAsync(["East", "6,000.00", "920.00", "15.3%"]);

        await channel.PlaceAsync("O-N1-chart", "N1", 5);

        await Expect(thisMonth).ToHaveTextAsync([$"{DashboardChannel.Month} so far", "1,670.00", "150.00", "20"]);
        await Expect(north).ToHaveTextAsync(["North", "6,000.00", "750.00", "12.5%"]);
        Assert.Empty(consoleErrors);
    }

    /// <summary>Region links lead somewhere (open in a new tab, announced as links to a view), and still navigate in place.</summary>
    [Fact]
    public async Task Region_links_have_real_hrefs_to_their_view_and_work_from_the_keyboard()
    {
        await OpenAsync(channel.AdminToken);
        var east = page.Locator("#children a[data-region='CN/East']");
        await Expect(east).ToBeVisibleAsync();

        await Expect(page.Locator("a[href='#']")).ToHaveCountAsync(0);
        Assert.Equal(("CN/East", DashboardChannel.Month), await ViewOfAsync(east));
        await east.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#crumbs")).ToHaveTextAsync("CNEast");
        await Expect(Tile("orderCount")).ToHaveTextAsync("3");

        var up = page.Locator("#crumbs a[data-region='CN']");
        Assert.Equal(("CN", DashboardChannel.Month), await ViewOfAsync(up));
        await Expect(page.Locator("a[href='#']")).ToHaveCountAsync(0);
        // Followed as a plain link (a new tab or a reload), the href opens the same view.
        await page.GotoAsync(new Uri(new Uri(page.Url), await up.GetAttributeAsync("href")).ToString());
        await Expect(page.Locator("#crumbs")).ToHaveTextAsync("CN");
        await Expect(Tile("orderCount")).ToHaveTextAsync("4");

        await OpenAsync(channel.ManagerToken("CN/East"), "CN/North");
        var own = page.GetByRole(AriaRole.Link, new() { Name = "Go to CN/East" });
        await Expect(own).ToBeVisibleAsync();
        Assert.Equal(("CN/East", DashboardChannel.Month), await ViewOfAsync(own));
        await own.ClickAsync();
        await Expect(Tile("orderCount")).ToHaveTextAsync("3");
        Assert.Empty(consoleErrors);
    }

    /// <summary>
    /// Back and Forward step through the regions and periods visited, in place (the page is not loaded again). Before,
    /// each view replaced the last in the history: Back left the dashboard.
    /// </summary>
    [Fact]
    public async Task Back_and_forward_step_through_the_regions_and_periods_visited()
    {
        await OpenAsync(channel.AdminToken);
        await Expect(Tile("orderCount")).ToHaveTextAsync("4");
        await page.EvaluateAsync("() => { window.loadedOnce = true; }");
        var quarter = await page.Locator("#period option").Nth(1).GetAttributeAsync("value");

        await page.Locator("#children a[data-region='CN/East']").ClickAsync();
        await Expect(Tile("orderCount")).ToHaveTextAsync("3");
        await page.Locator("#period").SelectOptionAsync(quarter!);
        await Expect(page.Locator("#crumbs")).ToHaveTextAsync("CNEast");

        await page.GoBackAsync();
        await Expect(page.Locator("#period")).ToHaveValueAsync(DashboardChannel.Month);
        await Expect(page.Locator("#crumbs")).ToHaveTextAsync("CNEast");
        await page.GoBackAsync();
        await Expect(page.Locator("#crumbs")).ToHaveTextAsync("CN");
        await Expect(Tile("orderCount")).ToHaveTextAsync("4");
        await page.GoForwardAsync();
        await Expect(page.Locator("#crumbs")).ToHaveTextAsync("CNEast");
        await Expect(Tile("orderCount")).ToHaveTextAsync("3");
        var shown = HttpUtility.ParseQueryString(new Uri(page.Url).Query);
        Assert.Equal(("CN/East", DashboardChannel.Month), (shown["region"], shown["period"]));
        Assert.True(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"), "the page was loaded again");
        Assert.Empty(consoleErrors);
    }

    /// <summary>The feed follows the period picked, as the tiles and tables do: the seeded orders were all placed this month.</summary>
    [Fact]
    public async Task The_order_feed_shows_only_orders_placed_in_the_period_picked()
    {
        var lastMonth = DateTime.ParseExact(DashboardChannel.Month, "yyyy-MM", CultureInfo.InvariantCulture).AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var lateOrderSent = new TaskCompletionSource();
        page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
        {
            if (frame.Text?.Contains("O-E1-late", StringComparison.Ordinal) == true) lateOrderSent.TrySetResult();
        };

        await OpenAsync(channel.AdminToken, period: lastMonth);
        await Expect(Tile("orderCount")).ToHaveTextAsync("0");
        await Expect(page.Locator("#feed-scope")).ToContainTextAsync("3 dealers followed");

        await Expect(page.Locator("#feed li[data-order]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#feed-scope")).ToContainTextAsync($"placed in {lastMonth}");
        await Expect(page.Locator("#feed")).ToContainTextAsync(lastMonth);
        // A live order of this month is not one of last month's either.
        await channel.PlaceAsync("O-E1-late", "E1", 5);
        await lateOrderSent.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await page.WaitForTimeoutAsync(300);
        await Expect(page.Locator("#feed li[data-order]")).ToHaveCountAsync(0);

        await page.Locator("#period").SelectOptionAsync(DashboardChannel.Month);

        await Expect(page.Locator("#feed-scope")).ToContainTextAsync($"placed in {DashboardChannel.Month}");
        await Expect(page.Locator("#feed li[data-order='O-E1-late']")).ToBeVisibleAsync();
        await Expect(page.Locator("#feed li[data-order='O-N1-1']")).ToBeVisibleAsync();
        Assert.Empty(consoleErrors);
    }

    /// <summary>A feed line says when the order was placed: the local date and time, the exact instant in its markup.</summary>
    [Fact]
    public async Task Feed_lines_show_the_local_date_and_time_with_the_full_timestamp()
    {
        var placedAt = (await channel.Admin.PostAsync("{ order(id: \"O-N1-1\") { placedAt } }")).Data("order").GetProperty("placedAt").GetDateTimeOffset();
        var local = TimeZoneInfo.ConvertTime(placedAt, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));

        await OpenAsync(channel.AdminToken);

        var at = page.Locator("#feed li[data-order='O-N1-1'] time");
        await Expect(at).ToHaveTextAsync(local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        var stamp = await at.GetAttributeAsync("datetime");
        Assert.Equal(placedAt.ToUnixTimeMilliseconds(), DateTimeOffset.Parse(stamp!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        await Expect(at).ToHaveAttributeAsync("title", stamp!);
        Assert.Empty(consoleErrors);
    }
}
