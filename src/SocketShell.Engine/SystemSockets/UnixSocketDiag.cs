using System.Text;

namespace SocketShell.SystemSockets;

/// <summary>
/// Netlink sock_diag for AF_UNIX (linux/unix_diag.h): the dump request (unix_diag_req) and the
/// answers (unix_diag_msg followed by attributes: name, file, peer, queue lengths, owner).
/// Fields are in host byte order.
/// </summary>
internal static class UnixSocketDiag
{
    public const int AfUnix = 1;
    public const int RequestSize = NetlinkSockDiag.HeaderSize + 24;
    public const int UnixDiagMsgSize = 16;

    public const uint ShowName = 0x01;
    public const uint ShowVfs = 0x02;
    public const uint ShowPeer = 0x04;
    public const uint ShowRqLen = 0x10;
    public const uint ShowUid = 0x40;

    private const ushort AttrName = 0;
    private const ushort AttrVfs = 1;
    private const ushort AttrPeer = 2;
    private const ushort AttrRqLen = 4;
    private const ushort AttrUid = 7;

    /// <summary>Writes one SOCK_DIAG_BY_FAMILY dump request for every Unix socket in every state.</summary>
    public static void WriteRequest(Span<byte> buffer, uint sequence)
    {
        buffer[..RequestSize].Clear();
        NetlinkSockDiag.WriteHost32(buffer, RequestSize);
        NetlinkSockDiag.WriteHost16(buffer[4..], NetlinkSockDiag.SockDiagByFamily);
        NetlinkSockDiag.WriteHost16(buffer[6..], NetlinkSockDiag.NlmFRequest | NetlinkSockDiag.NlmFDump);
        NetlinkSockDiag.WriteHost32(buffer[8..], sequence);
        buffer[16] = AfUnix;                        // sdiag_family
        NetlinkSockDiag.WriteHost32(buffer[20..], uint.MaxValue);       // udiag_states: every state
        NetlinkSockDiag.WriteHost32(buffer[28..], ShowName | ShowVfs | ShowPeer | ShowRqLen | ShowUid); // udiag_show
    }

    /// <summary>Parses one datagram of the dump (same framing as the inet dump).</summary>
    public static NetlinkDumpStatus Parse(ReadOnlySpan<byte> datagram, List<UnixSystemSocket> into, ref int skipped, out int error) =>
        NetlinkSockDiag.ParseFrames(datagram, ReadMessage, into, ref skipped, out error);

    /// <summary>Reads one unix_diag_msg with its attributes; null when it is too short or not AF_UNIX.</summary>
    public static UnixSystemSocket? ReadMessage(ReadOnlySpan<byte> msg)
    {
        if (msg.Length < UnixDiagMsgSize || msg[0] != AfUnix)
        {
            return null;
        }

        var type = (UnixSocketType)msg[1];
        int state = msg[2];
        var socket = new UnixSystemSocket
        {
            Type = Enum.IsDefined(type) ? type : UnixSocketType.Unknown,
            Inode = NetlinkSockDiag.ReadHost32(msg[4..]),
        };

        ReadOnlySpan<byte> attrs = msg[UnixDiagMsgSize..];
        while (attrs.Length >= 4)
        {
            int len = NetlinkSockDiag.ReadHost16(attrs);
            ushort kind = NetlinkSockDiag.ReadHost16(attrs[2..]);
            if (len < 4 || len > attrs.Length)
            {
                return null;
            }

            ReadOnlySpan<byte> value = attrs[4..len];
            switch (kind)
            {
                case AttrName:
                    socket.Path = DecodeName(value);
                    break;
                case AttrVfs when value.Length >= 8:
                    socket.FileInode = NetlinkSockDiag.ReadHost32(value);
                    socket.FileDevice = NetlinkSockDiag.ReadHost32(value[4..]);
                    break;
                case AttrPeer when value.Length >= 4:
                    uint peer = NetlinkSockDiag.ReadHost32(value);
                    socket.PeerInode = peer == 0 ? null : peer;
                    break;
                case AttrRqLen when value.Length >= 8:
                    socket.ReceiveQueue = NetlinkSockDiag.ReadHost32(value);
                    socket.SendQueue = NetlinkSockDiag.ReadHost32(value[4..]);
                    break;
                case AttrUid when value.Length >= 4:
                    socket.UserId = (int)NetlinkSockDiag.ReadHost32(value);
                    break;
            }

            attrs = attrs[Math.Min(NetlinkSockDiag.Align(len), attrs.Length)..];
        }

        socket.State = MapState(state, socket.Type, socket.Path is not null);
        return socket;
    }

    /// <summary>
    /// Maps the kernel's state (TCP_* numbers reused for AF_UNIX: 1 connected, 2 connecting,
    /// 7 unconnected, 10 listening) to <see cref="SystemSocketState"/>.
    /// </summary>
    public static SystemSocketState MapState(int state, UnixSocketType type, bool named) => state switch
    {
        10 => SystemSocketState.Listen,
        1 => type == UnixSocketType.Datagram ? SystemSocketState.Connected : SystemSocketState.Established,
        2 => SystemSocketState.SynSent,
        7 => named ? SystemSocketState.Bound : SystemSocketState.Unconnected,
        _ => SystemSocketState.Unknown,
    };

    /// <summary>
    /// A sun_path as users write it: a file path as it is, an abstract name (first byte NUL) with
    /// '@' in front and other NULs shown as '@' (as ss does); null when empty.
    /// </summary>
    public static string? DecodeName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty)
        {
            return null;
        }

        if (name[0] == 0)
        {
            string text = Encoding.UTF8.GetString(name[1..]);
            return "@" + text.Replace('\0', '@');
        }

        int nul = name.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? name[..nul] : name);
    }
}
