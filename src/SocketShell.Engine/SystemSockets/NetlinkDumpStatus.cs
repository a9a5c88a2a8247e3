namespace SocketShell.SystemSockets;

/// <summary>How a netlink dump went after parsing one datagram.</summary>
internal enum NetlinkDumpStatus
{
    /// <summary>More datagrams follow.</summary>
    More,
    /// <summary>NLMSG_DONE was seen.</summary>
    Done,
    /// <summary>The kernel answered NLMSG_ERROR.</summary>
    Error,
}
