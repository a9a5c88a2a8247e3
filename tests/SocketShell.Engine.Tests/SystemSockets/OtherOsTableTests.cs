using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SocketShell.Interop;
using SocketShell.SystemSockets;

namespace SocketShell.Engine.Tests.SystemSockets;

/// <summary>
/// The Windows and macOS sources cannot run on the Linux build machine: these tests check their
/// struct layouts against the documented sizes and parse hand-built buffers laid out as the OS does.
/// </summary>
public class OtherOsTableTests
{
    [Fact]
    public void Windows_row_structs_have_the_documented_sizes()
    {
        Assert.Equal(24, Marshal.SizeOf<MibTcpRowOwnerPid>());
        Assert.Equal(56, Marshal.SizeOf<MibTcp6RowOwnerPid>());
        Assert.Equal(12, Marshal.SizeOf<MibUdpRowOwnerPid>());
        Assert.Equal(28, Marshal.SizeOf<MibUdp6RowOwnerPid>());
        Assert.Equal(24, Unsafe.SizeOf<MibTcpRowOwnerPid>());
        Assert.Equal(56, Unsafe.SizeOf<MibTcp6RowOwnerPid>());
        Assert.Equal(12, Unsafe.SizeOf<MibUdpRowOwnerPid>());
        Assert.Equal(28, Unsafe.SizeOf<MibUdp6RowOwnerPid>());
        Assert.Equal(16, Marshal.OffsetOf<MibTcp6RowOwnerPid>(nameof(MibTcp6RowOwnerPid.LocalScopeId)).ToInt32());
        Assert.Equal(48, Marshal.OffsetOf<MibTcp6RowOwnerPid>(nameof(MibTcp6RowOwnerPid.State)).ToInt32());
    }

    private static uint NetworkPort(int port) => (uint)(((port & 0xFF) << 8) | (port >> 8)) | 0xABCD0000; // high bits are noise

    private static void Dword(byte[] b, int offset, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(offset), v);

    [Fact]
    public void Windows_tcp4_table_rows_give_addresses_ports_states_and_pids()
    {
        byte[] table = new byte[4 + (3 * 24)];
        Dword(table, 0, 3);
        int r = 4;
        Dword(table, r, 2); // LISTEN
        new byte[] { 127, 0, 0, 1 }.CopyTo(table, r + 4);
        Dword(table, r + 8, NetworkPort(8080));
        Dword(table, r + 16, NetworkPort(4242)); // noise Windows may leave for a listener
        Dword(table, r + 20, 1234);
        r += 24;
        Dword(table, r, 5); // ESTABLISHED
        new byte[] { 10, 1, 2, 3 }.CopyTo(table, r + 4);
        Dword(table, r + 8, NetworkPort(50000));
        new byte[] { 192, 168, 0, 9 }.CopyTo(table, r + 12);
        Dword(table, r + 16, NetworkPort(443));
        Dword(table, r + 20, 99);
        r += 24;
        Dword(table, r, 11); // TIME_WAIT, pid 0
        Dword(table, r + 8, NetworkPort(1));

        int skipped = 0;
        List<SystemSocket> rows = WindowsSocketTables.ParseTcp(table, ipv6: false, ref skipped);
        Assert.Equal(0, skipped);
        Assert.Equal(3, rows.Count);
        Assert.Equal((IPAddress.Loopback, 8080, 0, SystemSocketState.Listen, (int?)1234), (rows[0].GetLocalAddress(), rows[0].LocalPort, rows[0].RemotePort, rows[0].State, rows[0].ProcessId));
        Assert.Equal((IPAddress.Parse("10.1.2.3"), 50000, IPAddress.Parse("192.168.0.9"), 443, SystemSocketState.Established, (int?)99),
            (rows[1].GetLocalAddress(), rows[1].LocalPort, rows[1].GetRemoteAddress(), rows[1].RemotePort, rows[1].State, rows[1].ProcessId));
        Assert.Equal((SystemSocketState.TimeWait, (int?)null), (rows[2].State, rows[2].ProcessId));
    }

    [Fact]
    public void Windows_tcp6_and_udp_tables_parse_and_a_short_table_counts_missing_rows()
    {
        byte[] t6 = new byte[4 + 56];
        Dword(t6, 0, 1);
        IPAddress.IPv6Loopback.GetAddressBytes().CopyTo(t6, 4);
        Dword(t6, 4 + 20, NetworkPort(8443));
        IPAddress.Parse("fe80::1").GetAddressBytes().CopyTo(t6, 4 + 24);
        Dword(t6, 4 + 40, 7); // remote scope id
        Dword(t6, 4 + 44, NetworkPort(60000));
        Dword(t6, 4 + 48, 8); // CLOSE_WAIT
        Dword(t6, 4 + 52, 4321);
        int skipped = 0;
        SystemSocket s = Assert.Single(WindowsSocketTables.ParseTcp(t6, ipv6: true, ref skipped));
        Assert.Equal((IPFamily.IPv6, IPAddress.IPv6Loopback, 8443, 60000, SystemSocketState.CloseWait, (int?)4321),
            (s.AddressFamily, s.GetLocalAddress(), s.LocalPort, s.RemotePort, s.State, s.ProcessId));
        Assert.Equal(7, s.GetRemoteAddress().ScopeId);

        byte[] u4 = new byte[4 + 12 + 12];
        Dword(u4, 0, 5); // claims 5 rows, holds 2
        new byte[] { 127, 0, 0, 1 }.CopyTo(u4, 4);
        Dword(u4, 8, NetworkPort(53));
        Dword(u4, 12, 800);
        Dword(u4, 16 + 4, NetworkPort(5353));
        List<SystemSocket> udp = WindowsSocketTables.ParseUdp(u4, ipv6: false, ref skipped);
        Assert.Equal(3, skipped);
        Assert.Equal([53, 5353], udp.Select(u => u.LocalPort));
        Assert.All(udp, u => Assert.Equal(SystemSocketState.Bound, u.State));
        Assert.Equal((int?)800, udp[0].ProcessId);

        byte[] u6 = new byte[4 + 28];
        Dword(u6, 0, 1);
        IPAddress.IPv6Loopback.GetAddressBytes().CopyTo(u6, 4);
        Dword(u6, 4 + 20, NetworkPort(123));
        Dword(u6, 4 + 24, 55);
        SystemSocket u = Assert.Single(WindowsSocketTables.ParseUdp(u6, ipv6: true, ref skipped));
        Assert.Equal((IPAddress.IPv6Loopback, 123, IPAddress.IPv6Any, (int?)55), (u.GetLocalAddress(), u.LocalPort, u.GetRemoteAddress(), u.ProcessId));

        skipped = 0;
        Assert.Empty(WindowsSocketTables.ParseUdp([1, 2], ipv6: false, ref skipped));
        Assert.Equal(1, skipped);
    }

    [Fact]
    public void Windows_tcp_states_map_by_name()
    {
        Assert.Equal(
            [SystemSocketState.Close, SystemSocketState.Listen, SystemSocketState.SynSent, SystemSocketState.SynReceived,
             SystemSocketState.Established, SystemSocketState.FinWait1, SystemSocketState.FinWait2, SystemSocketState.CloseWait,
             SystemSocketState.Closing, SystemSocketState.LastAck, SystemSocketState.TimeWait, SystemSocketState.Close],
            Enumerable.Range(1, 12).Select(i => WindowsSocketTables.MapTcpState((uint)i)));
        Assert.Equal(SystemSocketState.Unknown, WindowsSocketTables.MapTcpState(99));
    }

    private static byte[] MacSocket(int family, int kind, byte vflag, byte[] local, int lport, byte[] remote, int rport, int tcpState, ulong handle)
    {
        byte[] b = new byte[MacSocketInfo.SocketFdInfoSize];
        const int psi = 24, proto = psi + 240;
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(psi + 16), 501); // vst_uid
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(psi + 136), handle);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(psi + 160), family);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(psi + 184), 10); // soi_rcv.sbi_cc
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(psi + 208), 20); // soi_snd.sbi_cc
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(psi + 232), kind);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(proto + 0), (ushort)rport);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(proto + 4), (ushort)lport);
        b[proto + 24] = vflag;
        remote.CopyTo(b, proto + 32 + (remote.Length == 4 ? 12 : 0));
        local.CopyTo(b, proto + 48 + (local.Length == 4 ? 12 : 0));
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(proto + 80), tcpState);
        return b;
    }

    [Fact]
    public void Mac_socket_fdinfo_parses_tcp_and_udp_over_ipv4_and_ipv6()
    {
        Assert.Equal(792, MacSocketInfo.SocketFdInfoSize);
        SystemSocket? tcp = MacSocketInfo.Parse(MacSocket(2, 2, 1, [127, 0, 0, 1], 8080, [127, 0, 0, 1], 50000, 4, 77));
        Assert.NotNull(tcp);
        Assert.Equal((TransportProtocol.Tcp, IPFamily.IPv4, IPAddress.Loopback, 8080, 50000, SystemSocketState.Established),
            (tcp.Protocol, tcp.AddressFamily, tcp.GetLocalAddress(), tcp.LocalPort, tcp.RemotePort, tcp.State));
        Assert.Equal((10L, 20L, 501), (tcp.ReceiveQueue!.Value, tcp.SendQueue!.Value, tcp.UserId!.Value));
        Assert.Equal(77UL, MacSocketInfo.ReadHandle(MacSocket(2, 2, 1, [127, 0, 0, 1], 8080, [127, 0, 0, 1], 50000, 4, 77)));

        SystemSocket? listen6 = MacSocketInfo.Parse(MacSocket(30, 2, 2, IPAddress.IPv6Loopback.GetAddressBytes(), 443, new byte[16], 0, 1, 1));
        Assert.NotNull(listen6);
        Assert.Equal((IPFamily.IPv6, IPAddress.IPv6Loopback, 443, IPAddress.IPv6Any, SystemSocketState.Listen),
            (listen6.AddressFamily, listen6.GetLocalAddress(), listen6.LocalPort, listen6.GetRemoteAddress(), listen6.State));

        SystemSocket? mapped = MacSocketInfo.Parse(MacSocket(30, 2, 1, [127, 0, 0, 1], 9000, [127, 0, 0, 1], 9001, 10, 2));
        Assert.NotNull(mapped);
        Assert.Equal((IPAddress.Parse("::ffff:127.0.0.1"), SystemSocketState.TimeWait), (mapped.GetLocalAddress(), mapped.State));

        SystemSocket? udp = MacSocketInfo.Parse(MacSocket(2, 1, 1, [127, 0, 0, 1], 5353, [0, 0, 0, 0], 0, 0, 3));
        Assert.NotNull(udp);
        Assert.Equal((TransportProtocol.Udp, SystemSocketState.Bound), (udp.Protocol, udp.State));

        Assert.Null(MacSocketInfo.Parse(MacSocket(1, 0, 0, [], 0, [], 0, 0, 4))); // AF_UNIX
        Assert.Null(MacSocketInfo.Parse(new byte[100]));
        Assert.Equal(SystemSocketState.FinWait2, MacSocketInfo.MapTcpState(9));
    }
}
