using System.Buffers.Binary;
using System.Net;

namespace SocketShell.SystemSockets;

/// <summary>
/// Parses netlink sock_diag answers: nlmsghdr (16 bytes) + inet_diag_msg (72 bytes), see
/// linux/netlink.h and linux/inet_diag.h. Ports and addresses are in network byte order; the other
/// fields in host byte order.
/// </summary>
internal static class NetlinkSockDiag
{
    public const int HeaderSize = 16;
    public const int InetDiagMsgSize = 72;
    public const int RequestSize = HeaderSize + 56;
    public const ushort SockDiagByFamily = 20;
    public const ushort NlmsgError = 2;
    public const ushort NlmsgDone = 3;
    public const ushort NlmFRequest = 0x1;
    public const ushort NlmFDump = 0x300;
    public const int AfInet = 2;
    public const int AfInet6 = 10;
    public const int IpProtoTcp = 6;
    public const int IpProtoUdp = 17;

    /// <summary>Writes one SOCK_DIAG_BY_FAMILY dump request (inet_diag_req_v2, every state) into <paramref name="buffer"/>.</summary>
    public static void WriteRequest(Span<byte> buffer, int family, int protocol, uint sequence)
    {
        buffer[..RequestSize].Clear();
        WriteHost32(buffer, RequestSize);
        WriteHost16(buffer[4..], SockDiagByFamily);
        WriteHost16(buffer[6..], NlmFRequest | NlmFDump);
        WriteHost32(buffer[8..], sequence);
        buffer[16] = (byte)family;
        buffer[17] = (byte)protocol;
        WriteHost32(buffer[20..], uint.MaxValue); // idiag_states: every state
    }

    /// <summary>
    /// Parses one datagram of a dump into <paramref name="into"/>. A message that is too short or of an
    /// unknown family is counted in <paramref name="skipped"/>; a header that does not fit ends the datagram.
    /// </summary>
    public static NetlinkDumpStatus Parse(ReadOnlySpan<byte> datagram, TransportProtocol protocol, List<SystemSocket> into, ref int skipped, out int error) =>
        ParseFrames(datagram, m => m.Length >= InetDiagMsgSize ? ReadInetDiagMsg(m, protocol) : null, into, ref skipped, out error);

    /// <summary>Reads one sock_diag answer (the bytes after its nlmsghdr); null when it cannot be read.</summary>
    internal delegate T? MessageReader<T>(ReadOnlySpan<byte> message)
        where T : class;

    /// <summary>
    /// The netlink framing shared by every sock_diag dump: walks the nlmsghdr-framed messages of one
    /// datagram, hands each SOCK_DIAG_BY_FAMILY answer to <paramref name="read"/> and adds what it reads
    /// to <paramref name="into"/>. A message <paramref name="read"/> refuses is counted in
    /// <paramref name="skipped"/>; a header that does not fit ends the datagram.
    /// </summary>
    internal static NetlinkDumpStatus ParseFrames<T>(ReadOnlySpan<byte> datagram, MessageReader<T> read, List<T> into, ref int skipped, out int error)
        where T : class
    {
        error = 0;
        int offset = 0;
        while (datagram.Length - offset >= HeaderSize)
        {
            ReadOnlySpan<byte> message = datagram[offset..];
            int length = (int)ReadHost32(message);
            ushort type = ReadHost16(message[4..]);
            if (length < HeaderSize || length > message.Length)
            {
                skipped++;
                return NetlinkDumpStatus.More;
            }

            if (type == NlmsgDone)
            {
                return NetlinkDumpStatus.Done;
            }

            if (type == NlmsgError)
            {
                error = length >= HeaderSize + 4 ? -(int)ReadHost32(message[HeaderSize..]) : 0;
                if (error == 0)
                {
                    // An acknowledgement, not a failure.
                    offset += Align(length);
                    continue;
                }

                return NetlinkDumpStatus.Error;
            }

            if (type == SockDiagByFamily)
            {
                T? item = read(message[HeaderSize..length]);
                if (item is null)
                {
                    skipped++;
                }
                else
                {
                    into.Add(item);
                }
            }

            offset += Align(length);
        }

        if (offset < datagram.Length)
        {
            skipped++;
        }

        return NetlinkDumpStatus.More;
    }

    /// <summary>Reads one inet_diag_msg; null when its family is neither AF_INET nor AF_INET6.</summary>
    public static SystemSocket? ReadInetDiagMsg(ReadOnlySpan<byte> msg, TransportProtocol protocol)
    {
        byte family = msg[0];
        bool v6;
        if (family == AfInet)
        {
            v6 = false;
        }
        else if (family == AfInet6)
        {
            v6 = true;
        }
        else
        {
            return null;
        }

        int localPort = BinaryPrimitives.ReadUInt16BigEndian(msg[4..]);
        int remotePort = BinaryPrimitives.ReadUInt16BigEndian(msg[6..]);
        IPAddress local = v6 ? new IPAddress(msg.Slice(8, 16)) : new IPAddress(msg.Slice(8, 4));
        IPAddress remote = v6 ? new IPAddress(msg.Slice(24, 16)) : new IPAddress(msg.Slice(24, 4));
        return new SystemSocket
        {
            Protocol = protocol,
            AddressFamily = v6 ? IPFamily.IPv6 : IPFamily.IPv4,
            LocalIP = local,
            LocalPort = localPort,
            RemoteIP = remote,
            RemotePort = remotePort,
            State = LinuxStates.Map(protocol, msg[1]),
            ReceiveQueue = ReadHost32(msg[56..]),
            SendQueue = ReadHost32(msg[60..]),
            UserId = (int)ReadHost32(msg[64..]),
            Inode = ReadHost32(msg[68..]),
        };
    }

    internal static int Align(int length) => (length + 3) & ~3;

    internal static uint ReadHost32(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    internal static ushort ReadHost16(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    internal static void WriteHost32(Span<byte> b, uint v)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, v);
        }
    }

    internal static void WriteHost16(Span<byte> b, ushort v)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, v);
        }
    }
}
