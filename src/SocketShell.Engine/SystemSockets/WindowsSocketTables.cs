using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using SocketShell.Interop;

namespace SocketShell.SystemSockets;

/// <summary>
/// Parses the tables GetExtendedTcpTable (TCP_TABLE_OWNER_PID_ALL) and GetExtendedUdpTable
/// (UDP_TABLE_OWNER_PID) fill: a DWORD count, then the rows. Addresses are in network byte order;
/// ports are in network byte order in the low 16 bits of a DWORD. Pure code: tested on every OS.
/// </summary>
internal static class WindowsSocketTables
{
    public static unsafe int TcpRowSize => sizeof(MibTcpRowOwnerPid);
    public static unsafe int Tcp6RowSize => sizeof(MibTcp6RowOwnerPid);
    public static unsafe int UdpRowSize => sizeof(MibUdpRowOwnerPid);
    public static unsafe int Udp6RowSize => sizeof(MibUdp6RowOwnerPid);

    /// <summary>MIB_TCP_STATE (1 = CLOSED ... 12 = DELETE_TCB).</summary>
    public static SystemSocketState MapTcpState(uint state) => state switch
    {
        1 => SystemSocketState.Close,
        2 => SystemSocketState.Listen,
        3 => SystemSocketState.SynSent,
        4 => SystemSocketState.SynReceived,
        5 => SystemSocketState.Established,
        6 => SystemSocketState.FinWait1,
        7 => SystemSocketState.FinWait2,
        8 => SystemSocketState.CloseWait,
        9 => SystemSocketState.Closing,
        10 => SystemSocketState.LastAck,
        11 => SystemSocketState.TimeWait,
        12 => SystemSocketState.Close, // DELETE_TCB: being removed
        _ => SystemSocketState.Unknown,
    };

    /// <summary>The port in the low 16 bits of a DWORD, stored in network byte order.</summary>
    public static int Port(uint dword) => (int)(((dword & 0xFF) << 8) | ((dword >> 8) & 0xFF));

    /// <summary>Owner pid; 0 (the idle process, given for TIME-WAIT rows) means no owner is known.</summary>
    public static int? Pid(uint pid) => pid == 0 ? null : (int)pid;

    public static List<SystemSocket> ParseTcp(ReadOnlySpan<byte> table, bool ipv6, ref int skipped)
    {
        int rowSize = ipv6 ? Tcp6RowSize : TcpRowSize;
        var list = new List<SystemSocket>();
        int rows = RowCount(table, rowSize, ref skipped);
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<byte> row = table.Slice(4 + (i * rowSize), rowSize);
            if (ipv6)
            {
                MibTcp6RowOwnerPid r = MemoryMarshal.Read<MibTcp6RowOwnerPid>(row);
                list.Add(new SystemSocket
                {
                    Protocol = TransportProtocol.Tcp,
                    AddressFamily = IPFamily.IPv6,
                    LocalIP = new IPAddress(row[..16], r.LocalScopeId),
                    LocalPort = Port(r.LocalPort),
                    RemoteIP = new IPAddress(row.Slice(24, 16), r.RemoteScopeId),
                    RemotePort = r.State == 2 ? 0 : Port(r.RemotePort),
                    State = MapTcpState(r.State),
                    ProcessId = Pid(r.OwningPid),
                });
            }
            else
            {
                MibTcpRowOwnerPid r = MemoryMarshal.Read<MibTcpRowOwnerPid>(row);
                bool listening = r.State == 2;
                list.Add(new SystemSocket
                {
                    Protocol = TransportProtocol.Tcp,
                    AddressFamily = IPFamily.IPv4,
                    LocalIP = new IPAddress(row.Slice(4, 4)),
                    LocalPort = Port(r.LocalPort),
                    RemoteIP = new IPAddress(row.Slice(12, 4)),
                    RemotePort = listening ? 0 : Port(r.RemotePort), // a listener's remote port is undefined.
                    State = MapTcpState(r.State),
                    ProcessId = Pid(r.OwningPid),
                });
            }
        }

        return list;
    }

    public static List<SystemSocket> ParseUdp(ReadOnlySpan<byte> table, bool ipv6, ref int skipped)
    {
        int rowSize = ipv6 ? Udp6RowSize : UdpRowSize;
        var list = new List<SystemSocket>();
        int rows = RowCount(table, rowSize, ref skipped);
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<byte> row = table.Slice(4 + (i * rowSize), rowSize);
            if (ipv6)
            {
                MibUdp6RowOwnerPid r = MemoryMarshal.Read<MibUdp6RowOwnerPid>(row);
                list.Add(Udp(IPFamily.IPv6, new IPAddress(row[..16], r.LocalScopeId), Port(r.LocalPort), Pid(r.OwningPid)));
            }
            else
            {
                MibUdpRowOwnerPid r = MemoryMarshal.Read<MibUdpRowOwnerPid>(row);
                list.Add(Udp(IPFamily.IPv4, new IPAddress(row[..4]), Port(r.LocalPort), Pid(r.OwningPid)));
            }
        }

        return list;
    }

    private static SystemSocket Udp(IPFamily family, IPAddress local, int port, int? pid) => new()
    {
        Protocol = TransportProtocol.Udp,
        AddressFamily = family,
        LocalIP = local,
        LocalPort = port,
        RemoteIP = family == IPFamily.IPv6 ? IPAddress.IPv6Any : IPAddress.Any,
        State = SystemSocketState.Bound, // the owner-PID UDP table has no remote end
        ProcessId = pid,
    };

    /// <summary>The number of whole rows the table holds; rows the count claims but the buffer lacks are counted as skipped.</summary>
    private static int RowCount(ReadOnlySpan<byte> table, int rowSize, ref int skipped)
    {
        if (table.Length < 4)
        {
            skipped++;
            return 0;
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(table);
        int available = (table.Length - 4) / rowSize;
        if (count > (uint)available)
        {
            skipped += (int)Math.Min(int.MaxValue, count - (uint)available);
            return available;
        }

        return (int)count;
    }
}
