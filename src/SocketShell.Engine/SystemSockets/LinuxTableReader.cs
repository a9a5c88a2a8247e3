namespace SocketShell.SystemSockets;

/// <summary>How the Linux source reads the socket table.</summary>
public enum LinuxTableReader
{
    /// <summary>Netlink sock_diag, falling back to /proc/net per table when netlink is refused.</summary>
    Auto = 0,
    /// <summary>Netlink sock_diag only (what ss uses).</summary>
    Netlink,
    /// <summary>/proc/net/{tcp,tcp6,udp,udp6} only.</summary>
    ProcNet,
}
