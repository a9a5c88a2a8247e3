using System.Net.Sockets;

namespace SocketShell.Udp;

/// <summary>
/// ICMP reports and late replies on a UDP socket: what counts as "port unreachable", and how an earlier
/// datagram's leftovers are cleared before waiting for this datagram's reply (so they are not taken for it).
/// </summary>
internal static class StaleReplies
{
    /// <summary>Whether <paramref name="e"/> is an ICMP port unreachable surfacing on the socket.</summary>
    public static bool IsPortUnreachable(SocketException e) =>
        // Linux/macOS: ECONNREFUSED; Windows: WSAECONNRESET on a UDP socket.
        e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset;

    /// <summary>
    /// Before waiting for a reply: drops replies that arrived too late for an earlier datagram, and any
    /// error an earlier datagram left, reading into <paramref name="buffer"/>.
    /// </summary>
    public static void Discard(Socket socket, byte[] buffer)
    {
        ClearPendingError(socket);
        for (int i = 0; i < 10_000 && socket.Available > 0; i++)
        {
            try
            {
                socket.Receive(buffer, SocketFlags.None);
            }
            catch (SocketException e) when (IsPortUnreachable(e))
            {
                // An earlier datagram's ICMP error: stale too.
            }
        }
    }

    private static void ClearPendingError(Socket socket)
    {
        try
        {
            // Reading SO_ERROR returns and clears a pending asynchronous error (an ICMP report).
            _ = socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error);
        }
        catch (SocketException)
        {
            // Not supported here: DatagramSender's send copes with a stale refused send.
        }
    }
}
