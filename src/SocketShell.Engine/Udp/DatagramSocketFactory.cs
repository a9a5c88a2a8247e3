using System.Net;
using System.Net.Sockets;
using SocketShell.Common;

namespace SocketShell.Udp;

/// <summary>Opens the UDP socket a <see cref="DatagramSender"/> sends on, and words its socket failures.</summary>
internal static class DatagramSocketFactory
{
    /// <summary>
    /// A socket for <paramref name="remote"/> with the options' broadcast flag, TTL and local port; connected
    /// for a unicast target (<paramref name="connected"/>), unconnected for broadcast and multicast.
    /// </summary>
    /// <exception cref="SocketShellException">PortInUse or another kind for LocalPort; the connect's failure.</exception>
    public static Socket Open(IPEndPoint remote, DatagramSendOptions options, string target, out bool connected)
    {
        bool multicast = DatagramAddresses.IsMulticast(remote.Address);
        bool broadcast = options.Broadcast && DatagramAddresses.IsBroadcast(remote.Address);
        var socket = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (options.Broadcast)
            {
                socket.EnableBroadcast = true;
            }

            if (options.Ttl is int ttl)
            {
                if (multicast)
                {
                    socket.SetSocketOption(
                        remote.AddressFamily == AddressFamily.InterNetworkV6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP,
                        SocketOptionName.MulticastTimeToLive,
                        ttl);
                }
                else
                {
                    socket.Ttl = (short)ttl;
                }
            }

            if (options.LocalPort != 0)
            {
                IPAddress any = remote.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
                try
                {
                    socket.Bind(new IPEndPoint(any, options.LocalPort));
                }
                catch (SocketException e)
                {
                    SocketErrorKind kind = SocketFailure.Classify(e);
                    string why = kind == SocketErrorKind.PortInUse ? "is already in use" : "cannot be used";
                    throw new SocketShellException(kind, $"The local UDP port {options.LocalPort} {why}: {e.Message}", target, e);
                }
            }

            // Broadcast and multicast replies come from other addresses than the target: stay unconnected.
            connected = !multicast && !broadcast;
            if (connected)
            {
                try
                {
                    socket.Connect(remote);
                }
                catch (SocketException e)
                {
                    throw SendFailure(e, remote, options, target);
                }
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The SocketShellException for a failed send or connect to <paramref name="remote"/>.</summary>
    public static SocketShellException SendFailure(SocketException e, IPEndPoint remote, DatagramSendOptions options, string target)
    {
        SocketErrorKind kind = SocketFailure.Classify(e);
        string message = e.SocketErrorCode == SocketError.AccessDenied && !options.Broadcast
            ? $"The operating system refused to send to {remote} ({e.Message}); if it is a broadcast address, use -Broadcast."
            : $"Sending to {remote} failed: {e.Message}";
        return new SocketShellException(kind, message, target, e);
    }
}
