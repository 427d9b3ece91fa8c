using Microsoft.Extensions.FileProviders;

namespace ChannelGrains.Api.Dashboard;

/// <summary>Serves the dashboard's build (src/Api/Dashboard, copied beside the assembly by the build) at <c>/</c>.</summary>
public static class DashboardSetup
{
    public const string Folder = "dashboard";

    /// <summary>The static files need no token: the page asks for one and sends it with every GraphQL call.</summary>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, Folder);
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            app.Logger.LogWarning("The dashboard is not built ({Root} has no index.html): build src/Api with npm on PATH to serve it at /.", root);
            return app;
        }
        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        return app;
    }
}
