using ChannelGrains.Api.Auth;

namespace ChannelGrains.Tests.Infrastructure;

public static class Callers
{
    public static Caller Admin(string tenant) => new(tenant, Role.Admin, "admin", "CN");

    public static Caller Manager(string tenant, string region) => new(tenant, Role.Manager, "manager", region);

    public static Caller Dealer(string tenant, string id) => new(tenant, Role.Dealer, id, "");

    public static Caller Rep(string tenant, string id, string region) => new(tenant, Role.Rep, id, region);
}
