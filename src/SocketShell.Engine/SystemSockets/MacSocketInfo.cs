using System.Buffers.Binary;
using System.Net;

namespace SocketShell.SystemSockets;

/// <summary>
/// The parts of XNU's struct socket_fdinfo (sys/proc_info.h) SocketShell reads, by byte offset, for
/// 64-bit macOS: proc_fileinfo (24 bytes), then socket_info: vinfo_stat (136), soi_so, soi_pcb,
/// soi_type, soi_protocol, soi_family, eight shorts, soi_oobmark, soi_rcv and soi_snd (sockbuf_info,
/// 24 each), soi_kind, rfu_1, then the soi_proto union (528 bytes: its largest member is un_sockinfo).
/// Pure code: tested on every OS with hand-built buffers.
/// </summary>
internal static class MacSocketInfo
{
    public const int SocketFdInfoSize = 792;
    public const int ProcFdInfoSize = 8;
    public const int ProxFdTypeSocket = 2;
    private const int Psi = 24;                  // socket_info inside socket_fdinfo
    private const int Uid = Psi + 16;            // soi_stat.vst_uid
    private const int Handle = Psi + 136;        // soi_so: the kernel's opaque handle of the socket
    private const int Family = Psi + 160;        // soi_family
    private const int ReceiveCount = Psi + 184;  // soi_rcv.sbi_cc
    private const int SendCount = Psi + 208;     // soi_snd.sbi_cc
    private const int Kind = Psi + 232;          // soi_kind
    private const int Proto = Psi + 240;         // soi_proto (in_sockinfo / tcp_sockinfo)
    private const int ForeignPort = Proto + 0;   // insi_fport (network byte order in an int)
    private const int LocalPort = Proto + 4;     // insi_lport
    private const int VFlag = Proto + 24;        // insi_vflag: INI_IPV4 1, INI_IPV6 2
    private const int ForeignAddr = Proto + 32;  // insi_faddr (in4in6_addr or in6_addr)
    private const int LocalAddr = Proto + 48;    // insi_laddr
    private const int TcpState = Proto + 80;     // tcp_sockinfo.tcpsi_state
    private const int AfInet = 2;
    private const int AfInet6 = 30;
    private const int SockInfoIn = 1;
    private const int SockInfoTcp = 2;

    /// <summary>XNU's TCP states (netinet/tcp_fsm.h: TCPS_CLOSED 0 ... TCPS_TIME_WAIT 10).</summary>
    public static SystemSocketState MapTcpState(int state) => state switch
    {
        0 => SystemSocketState.Close,
        1 => SystemSocketState.Listen,
        2 => SystemSocketState.SynSent,
        3 => SystemSocketState.SynReceived,
        4 => SystemSocketState.Established,
        5 => SystemSocketState.CloseWait,
        6 => SystemSocketState.FinWait1,
        7 => SystemSocketState.Closing,
        8 => SystemSocketState.LastAck,
        9 => SystemSocketState.FinWait2,
        10 => SystemSocketState.TimeWait,
        _ => SystemSocketState.Unknown,
    };

    /// <summary>Reads one socket_fdinfo; null for a socket that is not TCP or UDP over IPv4/IPv6, or a short buffer.</summary>
    public static SystemSocket? Parse(ReadOnlySpan<byte> info)
    {
        if (info.Length < SocketFdInfoSize)
        {
            return null;
        }

        int family = ReadInt(info, Family);
        int kind = ReadInt(info, Kind);
        if ((family != AfInet && family != AfInet6) || (kind != SockInfoIn && kind != SockInfoTcp))
        {
            return null;
        }

        bool tcp = kind == SockInfoTcp;
        bool v4Addresses = (info[VFlag] & 1) != 0 && (info[VFlag] & 2) == 0;
        IPAddress local = v4Addresses ? new IPAddress(info.Slice(LocalAddr + 12, 4)) : new IPAddress(info.Slice(LocalAddr, 16));
        IPAddress remote = v4Addresses ? new IPAddress(info.Slice(ForeignAddr + 12, 4)) : new IPAddress(info.Slice(ForeignAddr, 16));
        int remotePort = NetworkPort(info, ForeignPort);
        return new SystemSocket
        {
            Protocol = tcp ? TransportProtocol.Tcp : TransportProtocol.Udp,
            AddressFamily = family == AfInet6 ? IPFamily.IPv6 : IPFamily.IPv4,
            LocalIP = family == AfInet6 && v4Addresses ? local.MapToIPv6() : local,
            LocalPort = NetworkPort(info, LocalPort),
            RemoteIP = family == AfInet6 && v4Addresses ? remote.MapToIPv6() : remote,
            RemotePort = remotePort,
            State = tcp ? MapTcpState(ReadInt(info, TcpState)) : (remotePort == 0 ? SystemSocketState.Bound : SystemSocketState.Connected),
            ReceiveQueue = (uint)ReadInt(info, ReceiveCount),
            SendQueue = (uint)ReadInt(info, SendCount),
            UserId = ReadInt(info, Uid),
        };
    }

    /// <summary>soi_so: the same for every descriptor (in any process) that refers to one socket.</summary>
    public static ulong ReadHandle(ReadOnlySpan<byte> info) => BinaryPrimitives.ReadUInt64LittleEndian(info[Handle..]);

    private static int ReadInt(ReadOnlySpan<byte> b, int offset) => BinaryPrimitives.ReadInt32LittleEndian(b[offset..]);

    private static int NetworkPort(ReadOnlySpan<byte> b, int offset) => BinaryPrimitives.ReadUInt16BigEndian(b[offset..]);
}
