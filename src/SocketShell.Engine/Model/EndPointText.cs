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

    /// <summary>The text of an endpoint as a user types it (<c>127.0.0.1:80</c>, <c>[::1]:80</c>); null for null.</summary>
    internal static string? Format(IPEndPoint? endPoint) => endPoint is null ? null : Format(endPoint.Address, endPoint.Port);

    /// <summary>The canonical text of an address (<c>127.0.0.1</c>, <c>::1</c>); null for null.</summary>
    internal static string? Format(IPAddress? address) => address?.ToString();

    /// <summary>Parses endpoint text back (what the text properties' setters accept); null when it is not an IP endpoint.</summary>
    internal static IPEndPoint? ParseEndPoint(string? text) =>
        text is not null && IPEndPoint.TryParse(text.Trim(), out IPEndPoint? endPoint) ? endPoint : null;

    /// <summary>Parses address text back; null when it is not an IP address.</summary>
    internal static IPAddress? ParseAddress(string? text) =>
        text is not null && IPAddress.TryParse(text.Trim(), out IPAddress? address) ? address : null;
}
