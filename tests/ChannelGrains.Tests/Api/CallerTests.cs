using System.Security.Claims;
using ChannelGrains.Api.Auth;

namespace ChannelGrains.Tests.Api;

public sealed class CallerTests
{
    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), authenticationType: "Bearer"));

    [Fact]
    public void A_caller_is_read_from_its_claims_whatever_their_case_the_first_of_each_type_winning()
    {
        var caller = Caller.From(Principal(("TENANT", "acme"), ("sub", "D1"), ("Role", "manager"), ("region", "CN/East"), ("tenant", "other"), ("role", "ADMIN")));

        Assert.Equal(new Caller("acme", Role.Manager, "D1", "CN/East"), caller);
        Assert.Equal(new Caller("acme", Role.Dealer, "D1", ""), Caller.From(Principal(("tenant", "acme"), ("sub", "D1"), ("role", "DEALER"))));
    }

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
