namespace SocketShell.Ports;

/// <summary>A problem reading one OS source; the other ranges are still good. <see cref="Exception"/> is a <see cref="SocketShellException"/> of kind <see cref="SocketErrorKind.PortRangeUnavailable"/> whose inner exception is the cause.</summary>
public sealed record PortRangeProblem(string Message, Exception Exception);
