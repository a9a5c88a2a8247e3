using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SocketShell.Common;

namespace SocketShell;

/// <summary>
/// Where a Forward listener relays to: a host (DNS name or IP literal) and port, or a Unix domain
/// socket path. Written as users type it: <c>host:port</c>, <c>[v6]:port</c>, <c>/run/app.sock</c>
/// or <c>unix:/run/app.sock</c>.
/// </summary>
public sealed class ForwardTarget
{
    private const int MaxHostLength = 253;

    /// <summary>Creates an empty target (for deserialisation); use <see cref="Parse"/> or <see cref="FromEndPoint"/>.</summary>
    public ForwardTarget() { }

    /// <summary>Creates a host and port target (the host is checked as <see cref="Parse"/> checks it).</summary>
    /// <exception cref="FormatException">The host or port is not valid.</exception>
    public ForwardTarget(string host, int port)
    {
        if (!TryCheckHost(host, out string? hostError))
        {
            throw new FormatException(hostError);
        }

        if (port is < 1 or > PortListParser.MaxPort)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"The port {port} is outside the range 1 to {PortListParser.MaxPort}."));
        }

        Host = Unbracket(host.Trim());
        Port = port;
    }

    /// <summary>The DNS name or IP literal (IPv6 without brackets); null for a socket path.</summary>
    public string? Host { get; set; }

    /// <summary>The TCP or UDP port; 0 for a socket path.</summary>
    public int Port { get; set; }

    /// <summary>The Unix domain socket path; null for a host and port.</summary>
    public string? Path { get; set; }

    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c>, an absolute socket path or <c>unix:&lt;path&gt;</c>.</summary>
    /// <exception cref="FormatException">The text is none of these; the message says what is wrong.</exception>
    public static ForwardTarget Parse(string text) =>
        TryParse(text, out ForwardTarget? target, out string? error) ? target : throw new FormatException(error);

    /// <summary>Like <see cref="Parse"/>, returning the reason instead of throwing.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ForwardTarget? target, out string? error)
    {
        target = null;
        string t = text?.Trim() ?? string.Empty;
        if (t.Length == 0)
        {
            error = "The forward target is empty; give host:port, [IPv6]:port or a socket path.";
            return false;
        }

        if (t.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            string path = t["unix:".Length..];
            if (!System.IO.Path.IsPathFullyQualified(path))
            {
                error = $"The socket path '{path}' in '{t}' is not a full path; give it from the root, e.g. unix:/run/app.sock.";
                return false;
            }

            target = new ForwardTarget { Path = path };
            error = null;
            return true;
        }

        if (t[0] == '/' || (OperatingSystem.IsWindows() && System.IO.Path.IsPathFullyQualified(t)))
        {
            target = new ForwardTarget { Path = t };
            error = null;
            return true;
        }

        string host;
        string portText;
        if (t[0] == '[')
        {
            int close = t.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{t}' opens '[' but never closes it; write an IPv6 target as [::1]:8080.";
                return false;
            }

            host = t[1..close];
            string rest = t[(close + 1)..];
            if (rest.Length == 0)
            {
                error = $"'{t}' has no port; write it as [{host}]:<port>.";
                return false;
            }

            if (rest[0] != ':')
            {
                error = $"'{t}' has '{rest}' after the address; write it as [{host}]:<port>.";
                return false;
            }

            portText = rest[1..];
            if (!IPAddress.TryParse(host, out IPAddress? v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{host}' in brackets is not an IPv6 address.";
                return false;
            }
        }
        else
        {
            int colon = t.LastIndexOf(':');
            if (colon < 0)
            {
                error = $"'{t}' has no port; write the target as host:port (e.g. 127.0.0.1:8080).";
                return false;
            }

            if (t.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                error = $"'{t}' is ambiguous: put an IPv6 address in brackets, e.g. [::1]:8080.";
                return false;
            }

            host = t[..colon];
            portText = t[(colon + 1)..];
        }

        if (!TryCheckHost(host, out error))
        {
            return false;
        }

        if (portText.Length == 0)
        {
            error = $"'{t}' has no port after ':'.";
            return false;
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > PortListParser.MaxPort)
        {
            error = $"'{portText}' in '{t}' is not a port from 1 to {PortListParser.MaxPort}.";
            return false;
        }

        target = new ForwardTarget { Host = host, Port = port };
        error = null;
        return true;
    }

    /// <summary>Makes a target from an <see cref="IPEndPoint"/>, <see cref="DnsEndPoint"/> or <see cref="UnixDomainSocketEndPoint"/>.</summary>
    /// <exception cref="FormatException">Port 0, a bad host name, or another kind of endpoint.</exception>
    public static ForwardTarget FromEndPoint(EndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return endPoint switch
        {
            IPEndPoint ip => new ForwardTarget(ip.Address.ToString(), ip.Port),
            DnsEndPoint dns => new ForwardTarget(dns.Host, dns.Port),
            UnixDomainSocketEndPoint unix => new ForwardTarget { Path = unix.ToString() },
            _ => throw new FormatException($"A {endPoint.GetType().Name} cannot be a forward target; give host:port, an IPEndPoint, a DnsEndPoint or a socket path."),
        };
    }

    /// <summary>The endpoint to connect to: <see cref="IPEndPoint"/> for an IP literal, <see cref="DnsEndPoint"/> for a name, <see cref="UnixDomainSocketEndPoint"/> for a path.</summary>
    public EndPoint ToEndPoint()
    {
        if (Path is not null)
        {
            return new UnixDomainSocketEndPoint(Path);
        }

        string host = Host ?? throw new InvalidOperationException("The forward target has neither a host nor a path.");
        return HostResolver.TryParseLiteral(host, out IPAddress? address) ? new IPEndPoint(address, Port) : new DnsEndPoint(host, Port);
    }

    /// <summary>The IP address when <see cref="Host"/> is an IP literal (no resolver involved), else null.</summary>
    internal IPAddress? Address => Host is not null && HostResolver.TryParseLiteral(Host, out IPAddress? a) ? a : null;

    /// <summary><c>host:port</c>, <c>[v6]:port</c>, or the socket path.</summary>
    public override string ToString() => Path ?? EndPointText.Format(Host ?? string.Empty, Port);

    private static string Unbracket(string host) => host.Length > 2 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;

    /// <summary>
    /// The host rule every SocketShell host argument follows (<see cref="HostNameRules"/>): an IPv4 address
    /// as four decimal numbers, an IPv6 literal, or a DNS name; resolver shorthands such as "1" or "127.1" are refused.
    /// </summary>
    private static bool TryCheckHost(string? rawHost, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        string host = Unbracket(rawHost?.Trim() ?? string.Empty);
        if (host.Length == 0)
        {
            error = "The forward target has no host before the port.";
            return false;
        }

        try
        {
            HostNameRules.Validate(host);
            error = null;
            return true;
        }
        catch (SocketShellException e)
        {
            error = e.Message;
            return false;
        }
    }
}
