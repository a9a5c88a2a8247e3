using System.Net;
using SocketShell.SystemSockets;

namespace SocketShell.Engine.Tests.SystemSockets;

public class SystemSocketFilterTests
{
    private sealed class FakeSource(List<SystemSocket> sockets) : ISystemSocketSource
    {
        public SystemSocketScope? LastScope { get; private set; }

        public int Resolved { get; private set; }

        public string Name => "fake";

        public SocketTable<SystemSocket> ReadTable(SystemSocketScope scope, CancellationToken cancellationToken)
        {
            LastScope = scope;
            return new SocketTable<SystemSocket>("fake", sockets.Where(s => scope.Includes(s.Protocol, s.AddressFamily)).ToList(), 0, []);
        }

        public void ResolveProcesses(IReadOnlyList<SystemSocket> list, CancellationToken cancellationToken)
        {
            Resolved += list.Count;
            foreach (SystemSocket s in list)
            {
                s.ProcessId = s.LocalPort;
                s.ProcessIds = [s.LocalPort];
                s.ProcessName = "p" + s.LocalPort;
            }
        }
    }

    private static SystemSocket S(TransportProtocol p, string local, int lport, int rport, SystemSocketState state) => new()
    {
        RemoteIP = local.Contains(':', StringComparison.Ordinal) ? IPAddress.IPv6Any : IPAddress.Any,
        Protocol = p,
        AddressFamily = IPAddress.Parse(local).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPFamily.IPv6 : IPFamily.IPv4,
        LocalIP = IPAddress.Parse(local),
        LocalPort = lport,
        RemotePort = rport,
        State = state,
    };

    private static List<SystemSocket> Table() =>
    [
        S(TransportProtocol.Tcp, "127.0.0.1", 80, 0, SystemSocketState.Listen),
        S(TransportProtocol.Tcp, "127.0.0.1", 80, 5000, SystemSocketState.Established),
        S(TransportProtocol.Tcp, "::ffff:127.0.0.1", 81, 0, SystemSocketState.Listen),
        S(TransportProtocol.Tcp, "::1", 82, 6000, SystemSocketState.TimeWait),
        S(TransportProtocol.Udp, "127.0.0.1", 53, 0, SystemSocketState.Bound),
        S(TransportProtocol.Udp, "::1", 54, 53, SystemSocketState.Connected),
    ];

    [Fact]
    public void Listening_means_tcp_listeners_and_bound_udp()
    {
        var r = SystemSocketQuery.Run(new FakeSource(Table()), [new SystemSocketFilter { Listening = true }], false, CancellationToken.None);
        Assert.Equal([80, 81, 53], r.Sockets.Select(s => s.LocalPort));
    }

    [Fact]
    public void Several_filters_are_a_union_and_each_socket_is_written_once()
    {
        var source = new FakeSource(Table());
        var r = SystemSocketQuery.Run(source, [new SystemSocketFilter { LocalPort = [80] }, new SystemSocketFilter { State = [SystemSocketState.Listen] }, new SystemSocketFilter { LocalPort = [80] }], true, CancellationToken.None);
        Assert.Equal([(80, 0), (80, 5000), (81, 0)], r.Sockets.Select(s => (s.LocalPort, s.RemotePort)));
        Assert.Equal(3, source.Resolved); // processes looked up for the candidates only
    }

    [Fact]
    public void Protocol_and_family_narrow_what_is_read()
    {
        var source = new FakeSource(Table());
        var r = SystemSocketQuery.Run(source, [new SystemSocketFilter { Protocol = [TransportProtocol.Udp], AddressFamily = IPFamily.IPv6 }], false, CancellationToken.None);
        Assert.Equal(new SystemSocketScope(false, true, false, true), source.LastScope);
        Assert.Equal([54], r.Sockets.Select(s => s.LocalPort));
        Assert.Equal(0, source.Resolved);
    }

    [Fact]
    public void An_ipv4_address_matches_its_ipv4_mapped_form()
    {
        var r = SystemSocketQuery.Run(new FakeSource(Table()), [new SystemSocketFilter { LocalAddress = [IPAddress.Loopback], State = [SystemSocketState.Listen] }], false, CancellationToken.None);
        Assert.Equal([80, 81], r.Sockets.Select(s => s.LocalPort));
        Assert.True(SystemSocketFilter.SameAddress(IPAddress.Parse("::ffff:10.0.0.1"), IPAddress.Parse("10.0.0.1")));
        Assert.False(SystemSocketFilter.SameAddress(IPAddress.IPv6Loopback, IPAddress.Loopback));
    }

    [Fact]
    public void Process_filters_resolve_processes_even_when_not_asked_and_match_names_and_ids()
    {
        var source = new FakeSource(Table());
        var byName = SystemSocketQuery.Run(source, [new SystemSocketFilter { ProcessName = n => n.StartsWith("p5", StringComparison.Ordinal) }], false, CancellationToken.None);
        Assert.Equal([53, 54], byName.Sockets.Select(s => s.LocalPort));
        var byId = SystemSocketQuery.Run(source, [new SystemSocketFilter { ProcessId = [82] }, new SystemSocketFilter { RemotePort = [53] }], false, CancellationToken.None);
        Assert.Equal([82, 54], byId.Sockets.Select(s => s.LocalPort));
    }

    [Fact]
    public void Remote_port_and_address_filters()
    {
        var r = SystemSocketQuery.Run(new FakeSource(Table()), [new SystemSocketFilter { RemotePort = [5000, 6000], RemoteAddress = [IPAddress.Any] }], false, CancellationToken.None);
        Assert.Equal([80], r.Sockets.Select(s => s.LocalPort));
    }

    [Fact]
    public void Duplicates_from_a_table_read_in_pieces_are_dropped()
    {
        List<SystemSocket> t = Table();
        t.Add(S(TransportProtocol.Tcp, "127.0.0.1", 80, 0, SystemSocketState.Listen));
        t[^1].Inode = t[0].Inode;
        Assert.Equal(6, LinuxSystemSocketSource.Deduplicate(t).Count);
    }

    private sealed class UnreadableSource(Exception failure) : ISystemSocketSource
    {
        public string Name => "unreadable";

        public SocketTable<SystemSocket> ReadTable(SystemSocketScope scope, CancellationToken cancellationToken) => throw failure;

        public void ResolveProcesses(IReadOnlyList<SystemSocket> list, CancellationToken cancellationToken) { }
    }

    [Fact]
    public void A_table_that_cannot_be_read_is_a_typed_SocketTableUnavailable_failure()
    {
        foreach (Exception cause in new Exception[] { new IOException("gone"), new UnauthorizedAccessException("no"), new DllNotFoundException("libproc") })
        {
            var e = Assert.Throws<SocketShellException>(() => SystemSocketQuery.Run(new UnreadableSource(cause), [], false, CancellationToken.None));
            Assert.Equal(SocketErrorKind.SocketTableUnavailable, e.Kind);
            Assert.Equal("unreadable", e.Target);
            Assert.Same(cause, e.InnerException);
        }

        // A bug is not a read failure: it is not dressed up as one.
        Assert.Throws<InvalidOperationException>(() => SystemSocketQuery.Run(new UnreadableSource(new InvalidOperationException("bug")), [], false, CancellationToken.None));
    }
}
