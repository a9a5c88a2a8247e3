using System.Net;
using System.Net.Sockets;

namespace SocketShell.Common;

/// <summary>Resolves a DNS name or an IPv4/IPv6 literal to addresses of the requested family.</summary>
public static class HostResolver
{
    /// <summary>
    /// Resolves <paramref name="computerName"/>. A literal is returned as it is (no DNS query); a name
    /// is resolved by the operating system's resolver, the order it gives kept, then filtered by family.
    /// </summary>
    /// <exception cref="SocketShellException">
    /// Kind <see cref="SocketErrorKind.InvalidComputerName"/> when the text is no host (see <see cref="Common.HostNameRules"/>; nothing is resolved),
    /// <see cref="SocketErrorKind.HostNotFound"/> when nothing of the family resolves.
    /// </exception>
    public static async Task<IPAddress[]> ResolveAsync(string computerName, IPFamily family, CancellationToken cancellationToken)
    {
        string name = Common.HostNameRules.Validate(computerName);
        if (TryParseLiteral(name, out IPAddress? literal))
        {
            if (!Matches(literal, family))
            {
                throw new SocketShellException(
                    SocketErrorKind.HostNotFound,
                    $"The address '{name}' is not an {family} address.",
                    name);
            }

            return [literal];
        }

        IPAddress[] all;
        try
        {
            all = await Dns.GetHostAddressesAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new SocketShellException(SocketErrorKind.HostNotFound, $"The name '{name}' could not be resolved: {e.Message}", name, e);
        }

        IPAddress[] matching = Array.FindAll(all, a => Matches(a, family));
        if (matching.Length == 0)
        {
            string what = family == IPFamily.Any ? "any address" : $"an {family} address";
            throw new SocketShellException(SocketErrorKind.HostNotFound, $"The name '{name}' did not resolve to {what}.", name);
        }

        return matching;
    }

    /// <summary>Parses an IP literal, with or without brackets around an IPv6 address.</summary>
    public static bool TryParseLiteral(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Length > 2 && t[0] == '[' && t[^1] == ']')
        {
            t = t[1..^1];
        }

        // IPAddress.TryParse accepts "1", "127.1", "0x7f.1", "017.0.0.1" (inet_aton shorthands) and "[::1]:8080"
        // (dropping the port): only four decimal numbers and plain IPv6 count as literals here.
        if (!t.Contains('[', StringComparison.Ordinal) && !t.Contains(']', StringComparison.Ordinal) &&
            IPAddress.TryParse(t, out address) &&
            (address.AddressFamily == AddressFamily.InterNetworkV6 || Common.HostNameRules.IsDottedQuad(t)))
        {
            return true;
        }

        address = null;
        return false;
    }

    /// <summary>Whether <paramref name="address"/> belongs to <paramref name="family"/>.</summary>
    public static bool Matches(IPAddress address, IPFamily family)
    {
        ArgumentNullException.ThrowIfNull(address);
        return family switch
        {
            IPFamily.IPv4 => address.AddressFamily == AddressFamily.InterNetwork,
            IPFamily.IPv6 => address.AddressFamily == AddressFamily.InterNetworkV6,
            _ => true,
        };
    }
}
