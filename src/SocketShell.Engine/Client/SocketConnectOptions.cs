using SocketShell.Common;

namespace SocketShell.Client;

/// <summary>What Connect-Socket connects to, and how.</summary>
public sealed class SocketConnectOptions
{
    /// <summary>A DNS name or an IPv4/IPv6 literal.</summary>
    public string ComputerName { get; set; } = string.Empty;

    /// <summary>The TCP port, 1-65535.</summary>
    public int Port { get; set; }

    /// <summary>The time allowed for the whole connect: name resolution, every address tried, and the TLS handshake.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Which resolved addresses to try.</summary>
    public IPFamily AddressFamily { get; set; } = IPFamily.Any;

    /// <summary>Whether to negotiate TLS once connected.</summary>
    public bool UseTls { get; set; }

    /// <summary>The name sent as SNI and checked against the certificate; default <see cref="ComputerName"/>.</summary>
    public string? ServerName { get; set; }

    /// <summary>Accept any server certificate (TLS still encrypts; the server is not authenticated).</summary>
    public bool SkipCertificateCheck { get; set; }

    /// <summary>Disable Nagle's algorithm (send small writes at once).</summary>
    public bool NoDelay { get; set; }

    /// <summary>Enable TCP keep-alive probes.</summary>
    public bool KeepAlive { get; set; }

    /// <summary>
    /// Turns the name into addresses, in the order to try them (default: <see cref="HostResolver.ResolveAsync"/>,
    /// the operating system's resolver). Tests give fixed addresses here and take the same path as users.
    /// </summary>
    public HostResolve Resolver { get; set; } = HostResolver.ResolveAsync;

    /// <summary>
    /// Where time comes from: the connect timeout, the connect time, the receive timeouts, the drain of a
    /// disconnect and the connection's timestamps (default <see cref="TimeProvider.System"/>). Tests give a
    /// manual clock here and take the same path as users.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// A Unix domain socket to connect to instead of a host and port: a file path, or '@name' for a
    /// Linux abstract name. When set, ComputerName, Port, AddressFamily, NoDelay and KeepAlive do not apply.
    /// </summary>
    public string? Path { get; set; }

    /// <summary><c>host:port</c> (or the socket path) as typed, for messages.</summary>
    public string Target => Path ?? EndPointText.Format(ComputerName.Trim(), Port);
}
