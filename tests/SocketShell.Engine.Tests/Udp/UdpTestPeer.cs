using System.Net;
using System.Net.Sockets;

namespace SocketShell.Engine.Tests.Udp;

/// <summary>Helpers shared by the UDP tests: a raw UdpClient peer, free ports, bounded waits.</summary>
internal static class UdpTestPeer
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>A raw UdpClient bound to a loopback address and an OS-chosen port.</summary>
    public static UdpClient Bind(IPAddress loopback) => new(new IPEndPoint(loopback, 0));

    public static IPEndPoint EndPoint(this UdpClient client) => (IPEndPoint)client.Client.LocalEndPoint!;

    /// <summary>Echoes every datagram back to where it came from until cancelled.</summary>
    public static async Task EchoAsync(UdpClient peer, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                UdpReceiveResult r = await peer.ReceiveAsync(cancellationToken);
                await peer.SendAsync(r.Buffer, r.RemoteEndPoint, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>One datagram, or a failure after <see cref="Bound"/>.</summary>
    public static async Task<UdpReceiveResult> ReceiveBoundedAsync(this UdpClient peer) =>
        await peer.ReceiveAsync().WaitAsync(Bound);

    /// <summary>A UDP port on <paramref name="loopback"/> nobody listens on (bound then released).</summary>
    public static int ClosedPort(IPAddress loopback)
    {
        using var probe = Bind(loopback);
        return probe.EndPoint().Port;
    }

    public static bool Ipv6Loopback()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var s = Bind(IPAddress.IPv6Loopback);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>Tests that count the process's sockets run alone, not beside other tests opening sockets.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SocketCountCollection
{
    public const string Name = "UDP socket counting";
}
