using System.Buffers.Binary;
using System.Net;
using SocketShell.SystemSockets;

namespace SocketShell.Engine.Tests.SystemSockets;

public class NetlinkSockDiagTests
{
    // Little-endian host, as on x86 and arm64 (the only hosts this test suite runs on).
    private static byte[] Message(byte family, byte state, IPAddress local, int lport, IPAddress remote, int rport, uint rq, uint wq, uint uid, uint inode)
    {
        byte[] m = new byte[16 + 72];
        BinaryPrimitives.WriteUInt32LittleEndian(m, (uint)m.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(4), 20);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(6), 0x2); // NLM_F_MULTI
        Span<byte> d = m.AsSpan(16);
        d[0] = family;
        d[1] = state;
        BinaryPrimitives.WriteUInt16BigEndian(d[4..], (ushort)lport);
        BinaryPrimitives.WriteUInt16BigEndian(d[6..], (ushort)rport);
        local.GetAddressBytes().CopyTo(d[8..]);
        remote.GetAddressBytes().CopyTo(d[24..]);
        BinaryPrimitives.WriteUInt32LittleEndian(d[56..], rq);
        BinaryPrimitives.WriteUInt32LittleEndian(d[60..], wq);
        BinaryPrimitives.WriteUInt32LittleEndian(d[64..], uid);
        BinaryPrimitives.WriteUInt32LittleEndian(d[68..], inode);
        return m;
    }

    private static byte[] Control(ushort type, int value)
    {
        byte[] m = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(m, 20);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(4), type);
        BinaryPrimitives.WriteInt32LittleEndian(m.AsSpan(16), value);
        return m;
    }

    [Fact]
    public void Parses_ipv4_and_ipv6_messages_then_done()
    {
        byte[] datagram =
        [
            .. Message(2, 10, IPAddress.Loopback, 8080, IPAddress.Any, 0, 3, 128, 1000, 4242),
            .. Message(10, 1, IPAddress.IPv6Loopback, 443, IPAddress.Parse("::ffff:127.0.0.1"), 50000, 5, 7, 0, 4343),
            .. Control(NetlinkSockDiag.NlmsgDone, 0),
        ];
        var list = new List<SystemSocket>();
        int skipped = 0;
        Assert.Equal(NetlinkDumpStatus.Done, NetlinkSockDiag.Parse(datagram, TransportProtocol.Tcp, list, ref skipped, out _));
        Assert.Equal(0, skipped);
        Assert.Equal(2, list.Count);
        SystemSocket a = list[0];
        Assert.Equal((IPFamily.IPv4, IPAddress.Loopback, 8080, IPAddress.Any, 0, SystemSocketState.Listen),
            (a.AddressFamily, a.GetLocalAddress(), a.LocalPort, a.GetRemoteAddress(), a.RemotePort, a.State));
        Assert.Equal((3L, 128L, 1000, 4242L), (a.ReceiveQueue!.Value, a.SendQueue!.Value, a.UserId!.Value, a.Inode!.Value));
        SystemSocket b = list[1];
        Assert.Equal((IPFamily.IPv6, IPAddress.IPv6Loopback, 443, IPAddress.Parse("::ffff:127.0.0.1"), 50000, SystemSocketState.Established),
            (b.AddressFamily, b.GetLocalAddress(), b.LocalPort, b.GetRemoteAddress(), b.RemotePort, b.State));
    }

    [Fact]
    public void Udp_states_are_bound_and_connected()
    {
        byte[] datagram =
        [
            .. Message(2, 7, IPAddress.Loopback, 53, IPAddress.Any, 0, 0, 0, 0, 1),
            .. Message(2, 1, IPAddress.Loopback, 40000, IPAddress.Loopback, 53, 0, 0, 0, 2),
        ];
        var list = new List<SystemSocket>();
        int skipped = 0;
        Assert.Equal(NetlinkDumpStatus.More, NetlinkSockDiag.Parse(datagram, TransportProtocol.Udp, list, ref skipped, out _));
        Assert.Equal([SystemSocketState.Bound, SystemSocketState.Connected], list.Select(s => s.State));
        Assert.All(list, s => Assert.Equal(TransportProtocol.Udp, s.Protocol));
    }

    [Fact]
    public void An_error_message_reports_the_errno()
    {
        var list = new List<SystemSocket>();
        int skipped = 0;
        Assert.Equal(NetlinkDumpStatus.Error, NetlinkSockDiag.Parse(Control(NetlinkSockDiag.NlmsgError, -2), TransportProtocol.Udp, list, ref skipped, out int errno));
        Assert.Equal(2, errno); // ENOENT: e.g. udp_diag not loaded
    }

    [Fact]
    public void Short_unknown_and_cut_off_messages_are_skipped_and_counted()
    {
        byte[] good = Message(2, 10, IPAddress.Loopback, 1, IPAddress.Any, 0, 0, 0, 0, 9);
        byte[] unknownFamily = Message(1, 10, IPAddress.Loopback, 2, IPAddress.Any, 0, 0, 0, 0, 10);
        byte[] shortPayload = Control(NetlinkSockDiag.SockDiagByFamily, 0);
        byte[] cutOff = Message(2, 10, IPAddress.Loopback, 3, IPAddress.Any, 0, 0, 0, 0, 11)[..40];
        byte[] datagram = [.. good, .. unknownFamily, .. shortPayload, .. cutOff];
        var list = new List<SystemSocket>();
        int skipped = 0;
        Assert.Equal(NetlinkDumpStatus.More, NetlinkSockDiag.Parse(datagram, TransportProtocol.Tcp, list, ref skipped, out _));
        Assert.Equal([1], list.Select(s => s.LocalPort));
        Assert.Equal(3, skipped);

        // A stray tail shorter than a header is counted too, and garbage never throws.
        skipped = 0;
        NetlinkSockDiag.Parse([.. good, 1, 2, 3], TransportProtocol.Tcp, list, ref skipped, out _);
        Assert.Equal(1, skipped);
        var random = new Random(6);
        for (int i = 0; i < 500; i++)
        {
            byte[] noise = new byte[random.Next(200)];
            random.NextBytes(noise);
            NetlinkSockDiag.Parse(noise, TransportProtocol.Tcp, list, ref skipped, out _);
        }
    }

    [Fact]
    public void The_request_is_a_dump_of_every_state_for_one_family_and_protocol()
    {
        byte[] request = new byte[NetlinkSockDiag.RequestSize];
        NetlinkSockDiag.WriteRequest(request, NetlinkSockDiag.AfInet6, NetlinkSockDiag.IpProtoUdp, 7);
        Assert.Equal(72, request.Length);
        Assert.Equal(72u, BinaryPrimitives.ReadUInt32LittleEndian(request));
        Assert.Equal(20, BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(4)));
        Assert.Equal(0x301, BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(6)));
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(8)));
        Assert.Equal((10, 17), (request[16], request[17]));
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(20)));
        Assert.All(request[24..], b => Assert.Equal(0, b));
    }
}
