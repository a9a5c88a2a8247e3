using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SocketShell;

/// <summary>Formats targets the way users type them: <c>host:port</c>, <c>[::1]:port</c>.</summary>
public static class EndPointText
{
    /// <summary>Formats a host (name or literal) and port; IPv6 literals get brackets.</summary>
    public static string Format(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        string portText = port.ToString(CultureInfo.InvariantCulture);
        return host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[')
            ? $"[{host}]:{portText}"
            : $"{host}:{portText}";
    }

    /// <summary>Formats an address and port; IPv6 addresses get brackets.</summary>
    public static string Format(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        string portText = port.ToString(CultureInfo.InvariantCulture);
        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{address}]:{portText}"
            : $"{address}:{portText}";
    }
}
