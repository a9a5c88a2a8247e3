using System.Net;
using System.Text;
using SocketShell.Common;

namespace SocketShell.Udp;

/// <summary>Where and how <see cref="DatagramReceiver"/> receives.</summary>
public sealed class DatagramReceiveOptions
{
    /// <summary>
    /// The local address to bind: 127.0.0.1 by default; <see cref="IPAddress.IPv6Any"/> means every
    /// interface on both families (a dual-mode socket), <see cref="IPAddress.Any"/> every IPv4 interface.
    /// With a multicast group, the interface to join the group on.
    /// </summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>The local port (0 lets the operating system pick one; see <see cref="DatagramReceiver.LocalEndPoint"/>).</summary>
    public int Port { get; set; }

    /// <summary>A multicast group to join while receiving (left on dispose); null for none.</summary>
    public IPAddress? MulticastGroup { get; set; }

    /// <summary>The encoding each message's Text is decoded with.</summary>
    public Encoding Encoding { get; set; } = Payload.Utf8NoBom;

    /// <summary>
    /// Where time comes from: the idle timeout and each message's Timestamp (default <see cref="TimeProvider.System"/>).
    /// Tests give a manual clock here and take the same path as users.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
