using System.Security.Claims;
using ChannelGrains.Api.Auth;

namespace ChannelGrains.Tests.Api;

public sealed class CallerTests
{
    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), authenticationType: "Bearer"));

    [Fact]
    public void A_caller_is_read_from_its_claims_whatever_their_case()
    {
        var caller = Caller.From(Principal(("TENANT", "acme"), ("sub", "D1"), ("Role", "manager"), ("region", "CN/East"), ("tenant", "acme")));

        Assert.Equal(new Caller("acme", Role.Manager, "D1", "CN/East"), caller);
        Assert.Equal(new Caller("acme", Role.Dealer, "D1", ""), Caller.From(Principal(("tenant", "acme"), ("sub", "D1"), ("role", "DEALER"))));
    }

    /// <summary>Found by a bad-input pass: a token naming tenants ["other", "demo"] was read as the first.</summary>
    [Theory]
    [InlineData("tenant", "other")]
    [InlineData("ROLE", "ADMIN")]
    [InlineData("sub", "D2")]
    [InlineData("region", "CN")]
    public void A_claim_with_two_values_makes_no_caller(string type, string second) =>
        Assert.Null(Caller.From(Principal(("tenant", "acme"), ("sub", "D1"), ("role", "MANAGER"), ("region", "CN/East"), (type, second))));

    [Theory]
    [InlineData("1")]        // an enum's number is not a role
    [InlineData("Admin1")]
    [InlineData("OWNER")]
    [InlineData("")]
    public void A_principal_without_a_known_role_is_no_caller(string role) =>
        Assert.Null(Caller.From(Principal(("tenant", "acme"), ("sub", "D1"), ("role", role))));

    [Fact]
    public void A_principal_without_a_tenant_or_a_subject_or_not_authenticated_is_no_caller()
    {
        Assert.Null(Caller.From(Principal(("sub", "D1"), ("role", "ADMIN"))));
        Assert.Null(Caller.From(Principal(("tenant", "acme"), ("sub", " "), ("role", "ADMIN"))));
        Assert.Null(Caller.From(new ClaimsPrincipal(new ClaimsIdentity([new Claim("tenant", "acme"), new Claim("sub", "D1"), new Claim("role", "ADMIN")]))));
        Assert.Null(Caller.From(null));
    }
}
