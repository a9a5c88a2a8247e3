using System.Net.Sockets;

namespace SocketShell.Scan;

/// <summary>The end of one connect attempt.</summary>
internal readonly record struct ProbeOutcome(ProbeEndState State, TimeSpan Elapsed, SocketError Error);
