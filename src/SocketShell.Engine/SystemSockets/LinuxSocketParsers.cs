using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace SocketShell.SystemSockets;

/// <summary>Linux TCP state numbers (include/net/tcp_states.h) to <see cref="SystemSocketState"/>.</summary>
internal static class LinuxStates
{
    public static SystemSocketState Map(TransportProtocol protocol, int state)
    {
        if (protocol == TransportProtocol.Udp)
        {
            // UDP reuses TCP_ESTABLISHED for connected sockets and TCP_CLOSE for merely bound ones.
            return state switch
            {
                1 => SystemSocketState.Connected,
                7 => SystemSocketState.Bound,
                _ => SystemSocketState.Unknown,
            };
        }

        return state switch
        {
            1 => SystemSocketState.Established,
            2 => SystemSocketState.SynSent,
            3 => SystemSocketState.SynReceived,
            4 => SystemSocketState.FinWait1,
            5 => SystemSocketState.FinWait2,
            6 => SystemSocketState.TimeWait,
            7 => SystemSocketState.Close,
            8 => SystemSocketState.CloseWait,
            9 => SystemSocketState.LastAck,
            10 => SystemSocketState.Listen,
            11 => SystemSocketState.Closing,
            12 => SystemSocketState.NewSynReceived,
            _ => SystemSocketState.Unknown,
        };
    }
}

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
    public static NetlinkDumpStatus Parse(ReadOnlySpan<byte> datagram, TransportProtocol protocol, List<SystemSocket> into, ref int skipped, out int error)
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
                SystemSocket? socket = length - HeaderSize >= InetDiagMsgSize ? ReadInetDiagMsg(message[HeaderSize..length], protocol) : null;
                if (socket is null)
                {
                    skipped++;
                }
                else
                {
                    into.Add(socket);
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
            LocalAddress = local,
            LocalPort = localPort,
            RemoteAddress = remote,
            RemotePort = remotePort,
            State = LinuxStates.Map(protocol, msg[1]),
            ReceiveQueue = ReadHost32(msg[56..]),
            SendQueue = ReadHost32(msg[60..]),
            UserId = (int)ReadHost32(msg[64..]),
            Inode = ReadHost32(msg[68..]),
        };
    }

    private static int Align(int length) => (length + 3) & ~3;

    internal static uint ReadHost32(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    internal static ushort ReadHost16(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static void WriteHost32(Span<byte> b, uint v)
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

    private static void WriteHost16(Span<byte> b, ushort v)
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

/// <summary>
/// Parses /proc/net/{tcp,tcp6,udp,udp6}. Each line stands alone: a line that does not parse (a
/// malformed line, or one cut short because the table changed while it was read) is skipped and counted.
/// Addresses are printed as host-order 32-bit words, so their bytes depend on the machine's byte order.
/// </summary>
internal static class ProcNetParser
{
    public static void Parse(string text, TransportProtocol protocol, IPFamily family, List<SystemSocket> into, ref int skipped, bool littleEndian)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (ReadOnlySpan<char> rawLine in text.AsSpan().EnumerateLines())
        {
            ReadOnlySpan<char> line = rawLine.Trim();
            if (line.IsEmpty || line.StartsWith("sl ", StringComparison.Ordinal) || line.Contains("local_address", StringComparison.Ordinal))
            {
                continue;
            }

            SystemSocket? socket = ParseLine(line, protocol, family, littleEndian);
            if (socket is null)
            {
                skipped++;
            }
            else
            {
                into.Add(socket);
            }
        }
    }

    /// <summary>Parses one data line; null when it is not well formed.</summary>
    public static SystemSocket? ParseLine(ReadOnlySpan<char> line, TransportProtocol protocol, IPFamily family, bool littleEndian)
    {
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
        Span<Range> f = stackalloc Range[11];
        int n = line.SplitAny(f, " \t", StringSplitOptions.RemoveEmptyEntries);
        if (n < 10 || line[f[0]][^1] != ':')
        {
            return null;
        }

        int addressHex = family == IPFamily.IPv6 ? 32 : 8;
        if (!TryEndPoint(line[f[1]], addressHex, littleEndian, out IPAddress? local, out int localPort)
            || !TryEndPoint(line[f[2]], addressHex, littleEndian, out IPAddress? remote, out int remotePort)
            || line[f[3]].Length != 2
            || !int.TryParse(line[f[3]], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int state)
            || !TryQueues(line[f[4]], out uint tx, out uint rx)
            || !int.TryParse(line[f[7]], NumberStyles.None, CultureInfo.InvariantCulture, out int uid)
            || !long.TryParse(line[f[9]], NumberStyles.None, CultureInfo.InvariantCulture, out long inode))
        {
            return null;
        }

        return new SystemSocket
        {
            Protocol = protocol,
            AddressFamily = family,
            LocalAddress = local!,
            LocalPort = localPort,
            RemoteAddress = remote!,
            RemotePort = remotePort,
            State = LinuxStates.Map(protocol, state),
            ReceiveQueue = rx,
            SendQueue = tx,
            UserId = uid,
            Inode = inode,
        };
    }

    private static bool TryQueues(ReadOnlySpan<char> text, out uint tx, out uint rx)
    {
        rx = 0;
        int colon = text.IndexOf(':');
        tx = 0;
        return colon == 8 && text.Length == 17
            && uint.TryParse(text[..colon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out tx)
            && uint.TryParse(text[(colon + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out rx);
    }

    private static bool TryEndPoint(ReadOnlySpan<char> text, int addressHex, bool littleEndian, out IPAddress? address, out int port)
    {
        address = null;
        port = 0;
        if (text.Length != addressHex + 5 || text[addressHex] != ':'
            || !int.TryParse(text[(addressHex + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out port))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[addressHex / 2];
        for (int word = 0; word < addressHex / 8; word++)
        {
            if (!uint.TryParse(text.Slice(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value))
            {
                return false;
            }

            // The kernel printed the word as a host-order integer; its bytes in memory are the address bytes.
            if (littleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes[(word * 4)..], value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes[(word * 4)..], value);
            }
        }

        address = new IPAddress(bytes);
        return true;
    }
}
