using System.Net;
using System.Net.Sockets;

namespace ChannelGrains.Tests.Infrastructure;

public static class FreeTcpPort
{
    /// <summary>A loopback port the operating system just reported free.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
