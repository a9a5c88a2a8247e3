using System.Text;
using SocketShell.Common;

namespace SocketShell.Udp;

/// <summary>Where and how <see cref="DatagramSender"/> sends.</summary>
public sealed class DatagramSendOptions
{
    /// <summary>A DNS name or an IPv4/IPv6 literal.</summary>
    public string ComputerName { get; set; } = string.Empty;

    /// <summary>The target port (1–65535).</summary>
    public int Port { get; set; }

    /// <summary>Which resolved addresses may be used.</summary>
    public IPFamily AddressFamily { get; set; } = IPFamily.Any;

    /// <summary>The source port; 0 lets the operating system pick one.</summary>
    public int LocalPort { get; set; }

    /// <summary>Whether a broadcast address may be the target (sets SO_BROADCAST).</summary>
    public bool Broadcast { get; set; }

    /// <summary>The IP time to live (hop limit over IPv6), 1–255; null keeps the system default.</summary>
    public int? Ttl { get; set; }

    /// <summary>The encoding replies are decoded with.</summary>
    public Encoding Encoding { get; set; } = Payload.Utf8NoBom;

    /// <summary>
    /// Turns the name into addresses, in the order to try them (default: <see cref="HostResolver.ResolveAsync"/>,
    /// the operating system's resolver). Tests give fixed addresses here and take the same path as users.
    /// </summary>
    public HostResolve Resolver { get; set; } = HostResolver.ResolveAsync;

    /// <summary>
    /// Where time comes from: the reply wait's timeout, the round-trip time and the timestamps of results and
    /// replies (default <see cref="TimeProvider.System"/>). Tests give a manual clock here and take the same path as users.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
