using System.Buffers.Binary;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Net;
using SocketShell.Common;

namespace SocketShell.Udp;

/// <summary>Facts about UDP addresses and sizes: payload limits, broadcast and multicast addresses, bind addresses.</summary>
public static class DatagramAddresses
{
    /// <summary>The largest UDP payload over IPv4: 65,535 − 20 (IPv4 header) − 8 (UDP header).</summary>
    public const int MaxPayloadIPv4 = 65_507;

    /// <summary>The largest UDP payload over IPv6 (without jumbograms): 65,535 − 8 (UDP header).</summary>
    public const int MaxPayloadIPv6 = 65_527;

    /// <summary>The largest payload one datagram can carry over <paramref name="family"/>.</summary>
    public static int MaxPayload(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? MaxPayloadIPv6 : MaxPayloadIPv4;

    /// <summary>Whether <paramref name="address"/> is a multicast address (IPv4 224.0.0.0/4, IPv6 ff00::/8).</summary>
    public static bool IsMulticast(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => (address.GetAddressBytes()[0] & 0xF0) == 0xE0,
            AddressFamily.InterNetworkV6 => address.IsIPv6Multicast,
            _ => false,
        };
    }

    /// <summary>
    /// Whether <paramref name="address"/> is a broadcast address on this machine: the limited broadcast
    /// 255.255.255.255, or the directed broadcast of a subnet of one of this machine's IPv4 addresses
    /// (address OR NOT mask, for masks up to /30). IPv6 has no broadcast.
    /// </summary>
    public static bool IsBroadcast(IPAddress address) => IsBroadcast(address, LocalSubnets());

    /// <summary>The same test against a given list of (address, mask) pairs, for tests.</summary>
    internal static bool IsBroadcast(IPAddress address, IEnumerable<(IPAddress Address, IPAddress Mask)> subnets)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(subnets);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        if (address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        uint target = ToUInt32(address);
        foreach ((IPAddress local, IPAddress mask) in subnets)
        {
            if (local.AddressFamily != AddressFamily.InterNetwork || mask.AddressFamily != AddressFamily.InterNetwork)
            {
                continue;
            }

            uint m = ToUInt32(mask);
            // /31 and /32 have no broadcast address (RFC 3021); a zero mask is not a subnet.
            if (m == 0 || (~m) < 3)
            {
                continue;
            }

            uint broadcast = (ToUInt32(local) & m) | ~m;
            if (broadcast == target)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>This machine's IPv4 unicast addresses with their masks (empty when the OS does not say).</summary>
    internal static List<(IPAddress Address, IPAddress Mask)> LocalSubnets()
    {
        var list = new List<(IPAddress, IPAddress)>();
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            return list;
        }

        foreach (NetworkInterface nic in interfaces)
        {
            IPInterfaceProperties props;
            try
            {
                props = nic.GetIPProperties();
            }
            catch (NetworkInformationException)
            {
                continue;
            }

            foreach (UnicastIPAddressInformation u in props.UnicastAddresses)
            {
                if (u.Address.AddressFamily == AddressFamily.InterNetwork && u.IPv4Mask is { } mask)
                {
                    list.Add((u.Address, mask));
                }
            }
        }

        return list;
    }

    /// <summary>
    /// Parses a bind address: <c>Any</c> (all interfaces; both families where the OS has IPv6, returned
    /// as <see cref="IPAddress.IPv6Any"/>), <c>localhost</c> (127.0.0.1), or an IPv4/IPv6 literal.
    /// </summary>
    /// <exception cref="SocketShellException">Kind AddressNotAvailable when the text is none of these.</exception>
    public static IPAddress ParseBindAddress(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Equals("Any", StringComparison.OrdinalIgnoreCase) || t == "*")
        {
            return Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any;
        }

        if (t.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        if (HostResolver.TryParseLiteral(t, out IPAddress? address))
        {
            return address;
        }

        throw new SocketShellException(
            SocketErrorKind.AddressNotAvailable,
            $"'{text}' is not a local address to bind: use an IPv4 or IPv6 literal, localhost, or Any.",
            text);
    }

    /// <summary>The index of the interface that has <paramref name="address"/> (for IPv6 multicast joins); 0 when none does.</summary>
    internal static int InterfaceIndexOf(IPAddress address)
    {
        try
        {
            foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                IPInterfaceProperties props = nic.GetIPProperties();
                if (props.UnicastAddresses.Any(u => u.Address.Equals(address)))
                {
                    return address.AddressFamily == AddressFamily.InterNetworkV6
                        ? props.GetIPv6Properties().Index
                        : props.GetIPv4Properties().Index;
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Fall through: let the OS pick the interface.
        }

        return 0;
    }

    /// <summary>Maps an IPv4-mapped IPv6 address (from a dual-mode socket) back to IPv4.</summary>
    internal static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private static uint ToUInt32(IPAddress a) => BinaryPrimitives.ReadUInt32BigEndian(a.GetAddressBytes());
}
