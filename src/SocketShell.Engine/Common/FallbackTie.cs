namespace SocketShell.Common;

/// <summary>Which of two equally telling failures <see cref="AddressFallback.MoreTelling{T}"/> keeps.</summary>
internal enum FallbackTie
{
    /// <summary>The one from the earlier address (Test-Port: the first address's failure).</summary>
    Earlier,

    /// <summary>The one from the later address (Connect-Socket, Send-Datagram: the last address tried).</summary>
    Later,
}
