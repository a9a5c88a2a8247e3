using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

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
            LocalAddress = family == AfInet6 && v4Addresses ? local.MapToIPv6() : local,
            LocalPort = NetworkPort(info, LocalPort),
            RemoteAddress = family == AfInet6 && v4Addresses ? remote.MapToIPv6() : remote,
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

/// <summary>
/// macOS: every process's socket descriptors through libproc (proc_listpids, proc_pidinfo
/// PROC_PIDLISTFDS, proc_pidfdinfo PROC_PIDFDSOCKETINFO), so owners come with the table. Sockets no
/// process holds (TIME-WAIT) are not listed, and other users' processes need privilege. Not run on
/// the build machine (Linux): the parsing of socket_fdinfo is unit-tested with hand-built buffers.
/// </summary>
public sealed partial class MacSystemSocketSource : ISystemSocketSource
{
    private const uint ProcAllPids = 1;
    private const int ProcPidListFds = 1;
    private const int ProcPidFdSocketInfo = 3;
    private const string LibSystem = "/usr/lib/libSystem.dylib";

    /// <inheritdoc/>
    public string Name => "macos";

    /// <inheritdoc/>
    public unsafe SystemSocketTable ReadTable(SystemSocketScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var sockets = new List<SystemSocket>();
        int skipped = 0;
        byte[] info = new byte[MacSocketInfo.SocketFdInfoSize];
        byte[] name = new byte[256];
        var byHandle = new Dictionary<ulong, SystemSocket>();
        foreach (int pid in ListPids())
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] fds = ListFds(pid);
            string? processName = null;
            bool named = false;
            for (int i = 0; i + MacSocketInfo.ProcFdInfoSize <= fds.Length; i += MacSocketInfo.ProcFdInfoSize)
            {
                int fd = BinaryPrimitives.ReadInt32LittleEndian(fds.AsSpan(i));
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(fds.AsSpan(i + 4));
                if (type != MacSocketInfo.ProxFdTypeSocket)
                {
                    continue;
                }

                int got;
                fixed (byte* p = info)
                {
                    got = ProcPidFdInfo(pid, fd, ProcPidFdSocketInfo, p, info.Length);
                }

                if (got < MacSocketInfo.SocketFdInfoSize)
                {
                    continue; // closed meanwhile, or the process exited.
                }

                SystemSocket? s = MacSocketInfo.Parse(info);
                if (s is null || !scope.Includes(s.Protocol, s.AddressFamily))
                {
                    continue;
                }

                if (!named)
                {
                    named = true;
                    fixed (byte* n = name)
                    {
                        int len = ProcName(pid, n, (uint)name.Length);
                        processName = len > 0 ? Encoding.UTF8.GetString(name, 0, len) : null;
                    }
                }

                ulong handle = MacSocketInfo.ReadHandle(info);
                if (byHandle.TryGetValue(handle, out SystemSocket? shared))
                {
                    // Another process holds the same socket (e.g. after fork).
                    if (!shared.ProcessIds.Contains(pid))
                    {
                        shared.ProcessIds = [.. shared.ProcessIds, pid];
                    }

                    continue;
                }

                s.ProcessId = pid;
                s.ProcessIds = [pid];
                s.ProcessName = processName;
                byHandle[handle] = s;
                sockets.Add(s);
            }
        }

        return new SystemSocketTable("libproc", sockets, skipped, []);
    }

    /// <inheritdoc/>
    public void ResolveProcesses(IReadOnlyList<SystemSocket> sockets, CancellationToken cancellationToken)
    {
        // libproc gives the owners with the table.
    }

    private static unsafe int[] ListPids()
    {
        int bytes = ProcListPids(ProcAllPids, 0, null, 0);
        if (bytes <= 0)
        {
            throw new IOException("proc_listpids failed.");
        }

        int[] pids = new int[(bytes / sizeof(int)) + 64];
        fixed (int* p = pids)
        {
            bytes = ProcListPids(ProcAllPids, 0, p, pids.Length * sizeof(int));
        }

        int[] result = pids.AsSpan(0, Math.Max(0, bytes / sizeof(int))).ToArray().Where(p => p > 0).ToArray();
        Array.Sort(result); // lowest first, so ProcessId is the lowest holder as on Linux.
        return result;
    }

    private static unsafe byte[] ListFds(int pid)
    {
        int bytes = ProcPidInfo(pid, ProcPidListFds, 0, null, 0);
        if (bytes <= 0)
        {
            return []; // exited, or not ours to look at.
        }

        byte[] buffer = new byte[bytes + (32 * MacSocketInfo.ProcFdInfoSize)];
        fixed (byte* b = buffer)
        {
            bytes = ProcPidInfo(pid, ProcPidListFds, 0, b, buffer.Length);
        }

        return bytes <= 0 ? [] : buffer.AsSpan(0, bytes).ToArray();
    }

    [LibraryImport(LibSystem, EntryPoint = "proc_listpids")]
    private static unsafe partial int ProcListPids(uint type, uint typeInfo, void* buffer, int bufferSize);

    [LibraryImport(LibSystem, EntryPoint = "proc_pidinfo")]
    private static unsafe partial int ProcPidInfo(int pid, int flavor, ulong arg, void* buffer, int bufferSize);

    [LibraryImport(LibSystem, EntryPoint = "proc_pidfdinfo")]
    private static unsafe partial int ProcPidFdInfo(int pid, int fd, int flavor, void* buffer, int bufferSize);

    [LibraryImport(LibSystem, EntryPoint = "proc_name")]
    private static unsafe partial int ProcName(int pid, void* buffer, uint bufferSize);
}
