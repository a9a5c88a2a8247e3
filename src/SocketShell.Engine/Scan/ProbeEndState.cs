namespace SocketShell.Scan;

/// <summary>How one connect attempt ended.</summary>
internal enum ProbeEndState
{
    Open,
    Closed,
    TimedOut,
    Unreachable,
    Canceled,
    LocalFailure,

    /// <summary>Timed out by the deadline sweep, which reports the result itself.</summary>
    Swept,
}
