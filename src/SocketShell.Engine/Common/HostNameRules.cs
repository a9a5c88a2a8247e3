using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SocketShell.Common;

/// <summary>
/// The one check every host argument passes before anything is resolved or sent (Test-Port,
/// Connect-Socket, Send-Datagram, ...). It never reinterprets what was typed:
/// <list type="bullet">
/// <item>a host that carries a port (<c>[::1]:8080</c>, <c>127.0.0.1:80</c>, <c>host:80</c>) is refused,
/// the same for IPv4, IPv6 and names, because the port would otherwise be dropped or misread;</item>
/// <item>bare numbers and other inet_aton shorthands (<c>1</c>, <c>22</c>, <c>127.1</c>, <c>0x7f.1</c>,
/// <c>017.0.0.1</c>) are refused, because the system resolver turns them into addresses nobody typed
/// (<c>Test-Port 22 80</c> would probe 0.0.0.22): an IPv4 address must be four decimal numbers;</item>
/// <item>anything else must be an IPv6 literal (brackets allowed) or a DNS name (letters, digits,
/// '-', '_' and dots; labels up to 63 characters, 253 in all).</item>
/// </list>
/// </summary>
public static class HostNameRules
{
    private const int MaxNameLength = 253;
    private const int MaxLabelLength = 63;

    /// <summary>Returns <paramref name="computerName"/> trimmed when it is a host SocketShell may resolve.</summary>
    /// <exception cref="SocketShellException">Kind <see cref="SocketErrorKind.InvalidComputerName"/>, target the text as given.</exception>
    public static string Validate(string? computerName)
    {
        string? problem = Check(computerName, out string name);
        return problem is null ? name : throw new SocketShellException(SocketErrorKind.InvalidComputerName, problem, computerName ?? string.Empty);
    }

    /// <summary>Whether <paramref name="computerName"/> passes <see cref="Validate"/>.</summary>
    public static bool IsValid(string? computerName) => Check(computerName, out _) is null;

    /// <summary>Whether <paramref name="text"/> is an IPv4 address written as four decimal numbers 0-255 (no leading zeros).</summary>
    public static bool IsDottedQuad(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('.');
        return parts.Length == 4 && parts.All(IsDecimalOctet);
    }

    private static string? Check(string? computerName, out string name)
    {
        name = computerName?.Trim() ?? string.Empty;
        if (name.Length == 0)
        {
            return "A computer name is required; the name given is empty.";
        }

        if (name[0] == '[')
        {
            int close = name.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return $"'{name}' is not a valid host: an opening '[' has no closing ']'.";
            }

            string rest = name[(close + 1)..];
            if (rest.Length > 0)
            {
                return IsPortSuffix(rest)
                    ? CarriesPort(name, rest[1..])
                    : $"'{name}' is not a valid host: nothing may follow the ']' of an IPv6 address.";
            }

            return IPAddress.TryParse(name[1..close], out IPAddress? v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                ? null
                : $"'{name}' is not a valid host: only an IPv6 address may be written in brackets.";
        }

        int colons = name.Count(c => c == ':');
        if (colons >= 2)
        {
            return IPAddress.TryParse(name, out IPAddress? v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                ? null
                : $"'{name}' is not a valid host: it is neither an IPv6 address nor a name.";
        }

        if (colons == 1)
        {
            int at = name.IndexOf(':', StringComparison.Ordinal);
            return IsPortSuffix(name[at..])
                ? CarriesPort(name, name[(at + 1)..])
                : $"'{name}' is not a valid host: a host name cannot contain ':'.";
        }

        return CheckNameOrIPv4(name);
    }

    private static string? CheckNameOrIPv4(string name)
    {
        if (name.Length > MaxNameLength + 1)
        {
            return $"'{name}' is not a valid host: a name has at most {MaxNameLength} characters.";
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return $"'{name}' is not a valid host: a host name cannot contain '{c}'.";
            }
        }

        string[] labels = (name.EndsWith('.') ? name[..^1] : name).Split('.');
        if (labels.Any(l => l.Length == 0))
        {
            return $"'{name}' is not a valid host: it has an empty label (two dots in a row, or a leading dot).";
        }

        if (labels.Any(l => l.Length > MaxLabelLength))
        {
            return $"'{name}' is not a valid host: a label of a name has at most {MaxLabelLength} characters.";
        }

        // A name's last label is never numeric (no top-level domain is): a numeric last label means an address.
        if (!IsNumeric(labels[^1]))
        {
            return null;
        }

        if (labels.Length == 4 && labels.All(IsDecimalOctet))
        {
            return null;
        }

        string shorthand = IPAddress.TryParse(name, out IPAddress? resolved) && resolved.AddressFamily == AddressFamily.InterNetwork
            ? $" (the system resolver would read it as {resolved})"
            : string.Empty;
        return $"'{name}' is not a host name or an IPv4 address{shorthand}: write an IPv4 address as four decimal numbers from 0 to 255, such as 127.0.0.1.";
    }

    private static string CarriesPort(string name, string port) =>
        $"'{name}' includes a port ({port}): give the host alone and the port separately.";

    private static bool IsPortSuffix(string text) =>
        text.Length > 1 && text[0] == ':' && text.Skip(1).All(char.IsAsciiDigit);

    private static bool IsNumeric(string label) =>
        label.All(char.IsAsciiDigit) ||
        (label.Length > 2 && label[0] == '0' && label[1] is 'x' or 'X' && label.Skip(2).All(char.IsAsciiHexDigit));

    private static bool IsDecimalOctet(string label) =>
        label.Length is >= 1 and <= 3 && label.All(char.IsAsciiDigit) && (label.Length == 1 || label[0] != '0') &&
        int.Parse(label, NumberStyles.None, CultureInfo.InvariantCulture) <= 255;
}
