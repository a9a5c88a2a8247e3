namespace SocketShell.Ports;

/// <summary>A problem reading one OS source; the other ranges are still good.</summary>
public sealed record PortRangeProblem(string Message, Exception Exception);
