using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ChannelGrains.Api.Auth;

namespace ChannelGrains.Tests.Infrastructure;

/// <summary>Calls a running Api over real HTTP with a token signed by the test key.</summary>
public sealed class ApiClient(Uri baseAddress, string token) : IDisposable
{
    /// <summary>The HS256 key the test processes are started with (a test value, not a secret).</summary>
    public const string TestSigningKey = "channelgrains-test-signing-key-0123456789abcdef";

    private readonly HttpClient http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public static string Token(Caller caller) =>
        TokenService.Issue(new AuthOptions(), TestSigningKey, caller.Tenant, caller.Role, caller.Subject, caller.Region, TimeSpan.FromHours(1));

    public async Task<JsonElement> PostAsync(string query, object? variables = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "graphql") { Content = JsonContent.Create(new { query, variables }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public void Dispose() => http.Dispose();
}
