namespace SocketShell.Forward;

/// <summary>How a <see cref="Relay"/> ended.</summary>
internal enum RelayEnd
{
    Running,
    Finished,
    Reset,
    Closed,
}
