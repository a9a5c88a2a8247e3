using System.Net.Sockets;

namespace SocketShell.Scan;

/// <summary>
/// The end of one connect attempt. <paramref name="Connected"/> is the open socket when the scan has a
/// post-connect stage (<see cref="PortScanOptions.PostConnect"/>): whoever receives it owns it.
/// <paramref name="KernelRtt"/> is the kernel's own handshake round trip (series on Linux only).
/// </summary>
internal readonly record struct ProbeOutcome(ProbeEndState State, TimeSpan Elapsed, SocketError Error, Socket? Connected = null, TimeSpan? KernelRtt = null);
