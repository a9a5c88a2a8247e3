using System.Net;
using SocketShell.SystemSockets;

namespace SocketShell.Engine.Tests.SystemSockets;

public class ProcNetParserTests
{
    private static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", "procnet", name));

    private static (List<SystemSocket> Sockets, int Skipped) Parse(string sample, TransportProtocol protocol, IPFamily family, bool littleEndian = true)
    {
        var list = new List<SystemSocket>();
        int skipped = 0;
        ProcNetParser.Parse(Sample(sample), protocol, family, list, ref skipped, littleEndian);
        return (list, skipped);
    }

    [Fact]
    public void Captured_tcp_gives_addresses_ports_states_queues_and_inodes()
    {
        (List<SystemSocket> sockets, int skipped) = Parse("tcp", TransportProtocol.Tcp, IPFamily.IPv4);
        Assert.Equal(0, skipped);
        Assert.Equal(8, sockets.Count);

        SystemSocket listener = sockets[0];
        Assert.Equal((IPAddress.Loopback, 49519, IPAddress.Any, 0, SystemSocketState.Listen, 423940L),
            (listener.GetLocalAddress(), listener.LocalPort, listener.GetRemoteAddress(), listener.RemotePort, listener.State, listener.Inode));
        Assert.Equal(IPFamily.IPv4, listener.AddressFamily);
        Assert.Equal(TransportProtocol.Tcp, listener.Protocol);
        Assert.Equal(0, listener.UserId);
        Assert.Equal(2024, sockets[1].LocalPort);
        Assert.Equal(IPAddress.Any, sockets[1].GetLocalAddress());

        Assert.Equal((56386, 49519, SystemSocketState.Established), (sockets[2].LocalPort, sockets[2].RemotePort, sockets[2].State));
        Assert.Equal((SystemSocketState.FinWait2, 0L), (sockets[3].State, sockets[3].Inode));
        Assert.Equal((SystemSocketState.TimeWait, 0L), (sockets[4].State, sockets[4].Inode));
        SystemSocket closeWait = sockets[7];
        Assert.Equal((SystemSocketState.CloseWait, 1L, 0L), (closeWait.State, closeWait.ReceiveQueue, closeWait.SendQueue));

        // Every socket is in the ss output captured at the same moment (see Samples/procnet/README.md).
        Assert.All(sockets, s => Assert.Null(s.ProcessId));
    }

    [Fact]
    public void Captured_tcp6_gives_ipv6_and_ipv4_mapped_addresses_in_the_right_byte_order()
    {
        (List<SystemSocket> sockets, int skipped) = Parse("tcp6", TransportProtocol.Tcp, IPFamily.IPv6);
        Assert.Equal(0, skipped);
        Assert.Equal(7, sockets.Count);
        Assert.All(sockets, s => Assert.Equal(IPFamily.IPv6, s.AddressFamily));

        Assert.Equal((IPAddress.IPv6Loopback, 54643, IPAddress.IPv6Any, SystemSocketState.Listen), (sockets[0].GetLocalAddress(), sockets[0].LocalPort, sockets[0].GetRemoteAddress(), sockets[0].State));
        Assert.Equal((IPAddress.IPv6Any, 51311), (sockets[1].GetLocalAddress(), sockets[1].LocalPort));

        SystemSocket mapped = sockets[4];
        Assert.Equal(IPAddress.Parse("::ffff:127.0.0.1"), mapped.GetLocalAddress());
        Assert.True(mapped.GetLocalAddress().IsIPv4MappedToIPv6);
        Assert.Equal((51311, 34596, SystemSocketState.Established), (mapped.LocalPort, mapped.RemotePort, mapped.State));
        Assert.Equal((IPAddress.IPv6Loopback, 59598, SystemSocketState.TimeWait), (sockets[6].GetLocalAddress(), sockets[6].LocalPort, sockets[6].State));
    }

    [Fact]
    public void Captured_udp_gives_bound_and_connected_sockets()
    {
        (List<SystemSocket> v4, int skipped4) = Parse("udp", TransportProtocol.Udp, IPFamily.IPv4);
        (List<SystemSocket> v6, int skipped6) = Parse("udp6", TransportProtocol.Udp, IPFamily.IPv6);
        Assert.Equal((0, 0), (skipped4, skipped6));

        Assert.Equal(2, v4.Count);
        Assert.Equal((38069, 50442, SystemSocketState.Connected), (v4[0].LocalPort, v4[0].RemotePort, v4[0].State));
        Assert.Equal((50442, 0, SystemSocketState.Bound, 832L), (v4[1].LocalPort, v4[1].RemotePort, v4[1].State, v4[1].ReceiveQueue));
        Assert.All(v4, s => Assert.Equal(TransportProtocol.Udp, s.Protocol));

        Assert.Equal(2, v6.Count);
        Assert.Equal((IPAddress.IPv6Loopback, 55166, 51833, SystemSocketState.Connected), (v6[0].GetLocalAddress(), v6[0].LocalPort, v6[0].RemotePort, v6[0].State));
        Assert.Equal((51833, SystemSocketState.Bound, 423957L), (v6[1].LocalPort, v6[1].State, v6[1].Inode));
        Assert.True(v6[1].IsListening);
    }

    [Fact]
    public void Every_tcp_state_has_its_name()
    {
        (List<SystemSocket> sockets, int skipped) = Parse("tcp-all-states", TransportProtocol.Tcp, IPFamily.IPv4);
        Assert.Equal(0, skipped);
        SystemSocketState[] expected =
        [
            SystemSocketState.Established, SystemSocketState.SynSent, SystemSocketState.SynReceived,
            SystemSocketState.FinWait1, SystemSocketState.FinWait2, SystemSocketState.TimeWait,
            SystemSocketState.Close, SystemSocketState.CloseWait, SystemSocketState.LastAck,
            SystemSocketState.Listen, SystemSocketState.Closing, SystemSocketState.NewSynReceived,
        ];
        Assert.Equal(expected, sockets.Select(s => s.State));
        for (int n = 1; n <= 12; n++)
        {
            SystemSocket s = sockets[n - 1];
            Assert.Equal(IPAddress.Parse($"10.0.0.{n}"), s.GetLocalAddress());
            Assert.Equal(8000 + n, s.LocalPort);
            Assert.Equal((IPAddress.Parse("192.168.1.2"), 443), (s.GetRemoteAddress(), s.RemotePort));
            Assert.Equal((n * 16L, (long)n, 1000, 700000L + n), (s.SendQueue!.Value, s.ReceiveQueue!.Value, s.UserId!.Value, s.Inode!.Value));
        }
    }

    [Fact]
    public void Malformed_and_cut_off_lines_are_skipped_and_counted()
    {
        (List<SystemSocket> sockets, int skipped) = Parse("tcp-malformed", TransportProtocol.Tcp, IPFamily.IPv4);
        Assert.Equal(8, skipped);
        Assert.Equal([8001, 8010], sockets.Select(s => s.LocalPort));
    }

    [Fact]
    public void A_wrong_family_is_malformed_not_misread()
    {
        (List<SystemSocket> sockets, int skipped) = Parse("tcp6", TransportProtocol.Tcp, IPFamily.IPv4);
        Assert.Empty(sockets);
        Assert.Equal(7, skipped);
    }

    [Fact]
    public void Big_endian_machines_print_addresses_the_other_way_round()
    {
        SystemSocket? s = ProcNetParser.ParseLine(
            "0: 7F000001:1F90 C0A80102:01BB 01 00000000:00000000 00:00000000 00000000 0 0 42 1", TransportProtocol.Tcp, IPFamily.IPv4, littleEndian: false);
        Assert.NotNull(s);
        Assert.Equal((IPAddress.Loopback, 8080, IPAddress.Parse("192.168.1.2"), 443), (s.GetLocalAddress(), s.LocalPort, s.GetRemoteAddress(), s.RemotePort));

        SystemSocket? v6 = ProcNetParser.ParseLine(
            "0: 00000000000000000000000000000001:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 43 1", TransportProtocol.Tcp, IPFamily.IPv6, littleEndian: false);
        Assert.NotNull(v6);
        Assert.Equal((IPAddress.IPv6Loopback, 22), (v6.GetLocalAddress(), v6.LocalPort));
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(6);
        string good = Sample("tcp");
        const string alphabet = "0123456789ABCDEF: \t\nxyz-";
        for (int round = 0; round < 500; round++)
        {
            char[] text = good.ToCharArray();
            for (int i = 0; i < 20; i++)
            {
                text[random.Next(text.Length)] = alphabet[random.Next(alphabet.Length)];
            }

            string mutated = new string(text)[..random.Next(text.Length)];
            var list = new List<SystemSocket>();
            int skipped = 0;
            ProcNetParser.Parse(mutated, TransportProtocol.Tcp, IPFamily.IPv4, list, ref skipped, true);
            Assert.True(list.Count + skipped <= 12);
        }
    }

    [Fact]
    public void The_proc_net_reader_reads_every_table_and_notes_the_ones_it_cannot()
    {
        string root = Directory.CreateTempSubdirectory("socketshell-procnet-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "net"));
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Samples", "procnet", "tcp-malformed"), Path.Combine(root, "net", "tcp"));
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Samples", "procnet", "udp6"), Path.Combine(root, "net", "udp6"));
            var source = new LinuxSystemSocketSource(root, LinuxTableReader.ProcNet);

            SocketTable<SystemSocket> table = source.ReadTable(SystemSocketScope.All, CancellationToken.None);
            Assert.Equal("/proc/net", table.Source);
            Assert.Equal(8, table.SkippedEntries);
            Assert.Equal([8001, 8010, 55166, 51833], table.Sockets.Select(s => s.LocalPort));
            Assert.Equal(2, table.Notes.Count); // tcp6 and udp are missing
            Assert.All(table.Notes, n => Assert.Contains("could not be read", n, StringComparison.Ordinal));

            SocketTable<SystemSocket> udpOnly = source.ReadTable(new SystemSocketScope(false, true, false, true), CancellationToken.None);
            Assert.Equal(2, udpOnly.Sockets.Count);
            Assert.Empty(udpOnly.Notes);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
