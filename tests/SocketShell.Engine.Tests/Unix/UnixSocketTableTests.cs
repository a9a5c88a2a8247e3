using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using SocketShell.Engine.Tests.Skips;
using SocketShell.Listeners;
using SocketShell.SystemSockets;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Unix;

/// <summary>Get-SystemSocket -Protocol Unix: this test's own listener and connection in the real table, and the parsers.</summary>
public sealed class UnixSocketTableTests
{
    private readonly ListenerRegistry _registry = new();

    private static string CurrentName()
    {
        using Process p = Process.GetCurrentProcess();
        return p.ProcessName;
    }

    [FactNeeding(Requirement.LinuxNetlink)]
    public Task Netlink_finds_exactly_its_own_listener_and_connection_with_this_process_and_the_path() =>
        FindsItsOwn(LinuxTableReader.Netlink);

    [FactNeeding(Requirement.Linux)]
    public Task Proc_net_unix_finds_exactly_its_own_listener_and_connection_with_this_process_and_the_path() =>
        FindsItsOwn(LinuxTableReader.ProcNet);

    private async Task FindsItsOwn(LinuxTableReader reader)
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("table.sock");
        SocketListener l = _registry.Start(new ListenerOptions { Path = path, Protocol = TransportProtocol.Unix, Address = null });
        try
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await client.ConnectAsync(new UnixDomainSocketEndPoint(path)).WaitAsync(Bound);
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 1));
            var source = new LinuxUnixSocketSource(reader: reader);
            var filter = new UnixSocketFilter { Path = p => p.StartsWith(dir.Path, StringComparison.Ordinal) };
            (IReadOnlyList<UnixSystemSocket> found, SocketTable<UnixSystemSocket> table) = UnixSocketQuery.Run(source, [filter], resolveProcesses: true, CancellationToken.None);
            Assert.Equal(reader == LinuxTableReader.Netlink ? "netlink sock_diag" : "/proc/net/unix", table.Source);

            // The listener and the server end of the connection carry the path; the client end is unnamed.
            Assert.Equal(2, found.Count);
            UnixSystemSocket listening = Assert.Single(found, s => s.State == SystemSocketState.Listen);
            UnixSystemSocket accepted = Assert.Single(found, s => s.State == SystemSocketState.Established);
            foreach (UnixSystemSocket s in found)
            {
                Assert.Equal(path, s.Path);
                Assert.Equal(UnixSocketType.Stream, s.Type);
                Assert.Equal(Environment.ProcessId, s.ProcessId);
                Assert.Equal(CurrentName(), s.ProcessName);
                Assert.False(s.IsAbstract);
            }

            Assert.True(listening.IsListening);
            Assert.False(accepted.IsListening);

            // The client: found by its peer (netlink gives peers), with this process too.
            var all = UnixSocketQuery.Run(source, [new UnixSocketFilter { ProcessId = [Environment.ProcessId] }], true, CancellationToken.None).Sockets;
            if (reader == LinuxTableReader.Netlink)
            {
                UnixSystemSocket clientEnd = Assert.Single(all, s => s.PeerInode == accepted.Inode);
                Assert.Null(clientEnd.Path);
                Assert.Equal(path, clientEnd.PeerPath);
                Assert.Equal(SystemSocketState.Established, clientEnd.State);
                Assert.Equal(clientEnd.Inode, accepted.PeerInode);
                Assert.NotNull(listening.FileInode);
                Assert.Equal(0, listening.ReceiveQueue);
            }
            else
            {
                Assert.Contains(all, s => s.Path is null && s.State == SystemSocketState.Established);
            }
        }
        finally
        {
            await l.StopAsync();
        }

        // Gone once every holder closed it (a process another test forks holds copies of our descriptors
        // until it execs, so this waits, bounded, instead of reading once).
        Assert.True(await EventuallyAsync(() => UnixSocketQuery.Run(new LinuxUnixSocketSource(reader: reader), [new UnixSocketFilter { Path = p => p == path }], false, CancellationToken.None).Sockets.Count == 0));
    }

    [FactNeeding(Requirement.LinuxNetlink)]
    public async Task A_path_through_a_link_finds_the_socket_by_its_file()
    {
        using var dir = new UnixTestDirectory();
        Directory.CreateDirectory(dir.File("real"));
        string path = dir.File("real/svc.sock");
        Directory.CreateSymbolicLink(dir.File("link"), dir.File("real"));
        SocketListener l = _registry.Start(new ListenerOptions { Path = path, Protocol = TransportProtocol.Unix, Address = null });
        try
        {
            string viaLink = dir.File("link/svc.sock");
            var byText = new UnixSocketFilter { Path = p => p == viaLink };
            Assert.Empty(UnixSocketQuery.Run(new LinuxUnixSocketSource(reader: LinuxTableReader.Netlink), [byText], false, CancellationToken.None).Sockets);
            var byFile = new UnixSocketFilter { Path = p => p == viaLink, LiteralPaths = [viaLink] };
            UnixSystemSocket found = Assert.Single(UnixSocketQuery.Run(new LinuxUnixSocketSource(reader: LinuxTableReader.Netlink), [byFile], false, CancellationToken.None).Sockets);
            Assert.Equal(path, found.Path);
            Assert.Equal(SystemSocketState.Listen, found.State);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public void Filters_by_type_state_listening_and_process_name()
    {
        var listener = new UnixSystemSocket { Type = UnixSocketType.Stream, State = SystemSocketState.Listen, Path = "/run/a.sock", ProcessName = "dockerd", ProcessIds = [10] };
        var log = new UnixSystemSocket { Type = UnixSocketType.Datagram, State = SystemSocketState.Bound, Path = "/dev/log" };
        var unnamed = new UnixSystemSocket { Type = UnixSocketType.Stream, State = SystemSocketState.Established };
        Assert.True(new UnixSocketFilter { Listening = true }.MatchesSocket(listener));
        Assert.True(new UnixSocketFilter { Listening = true }.MatchesSocket(log));
        Assert.False(new UnixSocketFilter { Listening = true }.MatchesSocket(unnamed));
        Assert.False(new UnixSocketFilter { Path = _ => true }.MatchesSocket(unnamed));
        Assert.True(new UnixSocketFilter { Type = [UnixSocketType.Datagram] }.MatchesSocket(log));
        Assert.False(new UnixSocketFilter { ExcludesAll = true }.MatchesSocket(listener));
        Assert.True(new UnixSocketFilter { ProcessName = n => n == "dockerd" }.MatchesProcess(listener));
        Assert.False(new UnixSocketFilter { ProcessId = [11] }.MatchesProcess(listener));
    }

    [Fact]
    public void Proc_net_unix_lines_parse_into_type_state_inode_and_path()
    {
        const string text = """
            Num       RefCount Protocol Flags    Type St Inode Path
            0000000000000000: 00000002 00000000 00010000 0001 01 20562 /run/systemd/private
            0000000000000000: 00000003 00000000 00000000 0001 03 20999 /run/dbus/system bus socket
            0000000000000000: 00000002 00000000 00000000 0002 01 13567 /dev/log
            0000000000000000: 00000003 00000000 00000000 0001 03 21000
            0000000000000000: 00000002 00000000 00010000 0005 01 777 @abstract-name
            0000000000000000: 0000 broken
            """;
        var into = new List<UnixSystemSocket>();
        int skipped = 0;
        ProcNetUnixParser.Parse(text, into, ref skipped);
        Assert.Equal(1, skipped);
        Assert.Equal(5, into.Count);
        Assert.Equal((UnixSocketType.Stream, SystemSocketState.Listen, 20562L, "/run/systemd/private"), (into[0].Type, into[0].State, into[0].Inode, into[0].Path));
        Assert.Equal("/run/dbus/system bus socket", into[1].Path);
        Assert.Equal(SystemSocketState.Established, into[1].State);
        Assert.Equal((UnixSocketType.Datagram, SystemSocketState.Bound), (into[2].Type, into[2].State));
        Assert.True(into[2].IsListening);
        Assert.Null(into[3].Path);
        Assert.Equal(SystemSocketState.Established, into[3].State);
        Assert.Equal((UnixSocketType.SeqPacket, SystemSocketState.Listen, true), (into[4].Type, into[4].State, into[4].IsAbstract));
        Assert.Null(into[0].PeerInode);
    }

    [Fact]
    public void A_netlink_unix_diag_message_parses_with_its_attributes()
    {
        // nlmsghdr + unix_diag_msg + NAME ("\0abc") + PEER (42) + RQLEN (3, 128) + VFS (99, 7) + UID (1000)
        var msg = new List<byte>();
        void U32(uint v) => msg.AddRange(BitConverter.GetBytes(v));
        void U16(ushort v) => msg.AddRange(BitConverter.GetBytes(v));
        void Attr(ushort type, byte[] value)
        {
            U16((ushort)(4 + value.Length));
            U16(type);
            msg.AddRange(value);
            while (msg.Count % 4 != 0)
            {
                msg.Add(0);
            }
        }

        U32(0); U16(20); U16(2); U32(1); U32(0);           // header, length patched below
        msg.Add(1); msg.Add(1); msg.Add(1); msg.Add(0);      // AF_UNIX, SOCK_STREAM, TCP_ESTABLISHED
        U32(12345); U32(0); U32(0);                          // inode, cookie
        Attr(0, [0, (byte)'a', (byte)'b', (byte)'c']);
        Attr(2, BitConverter.GetBytes(42u));
        Attr(4, [.. BitConverter.GetBytes(3u), .. BitConverter.GetBytes(128u)]);
        Attr(1, [.. BitConverter.GetBytes(99u), .. BitConverter.GetBytes(7u)]);
        Attr(7, BitConverter.GetBytes(1000u));
        byte[] bytes = [.. msg];
        BitConverter.GetBytes((uint)bytes.Length).CopyTo(bytes, 0);
        byte[] done = new byte[20];
        BitConverter.GetBytes(20u).CopyTo(done, 0);
        BitConverter.GetBytes((ushort)3).CopyTo(done, 4);
        var into = new List<UnixSystemSocket>();
        int skipped = 0;
        Assert.Equal(NetlinkDumpStatus.More, UnixSocketDiag.Parse(bytes, into, ref skipped, out _));
        Assert.Equal(NetlinkDumpStatus.Done, UnixSocketDiag.Parse(done, into, ref skipped, out _));
        UnixSystemSocket s = Assert.Single(into);
        Assert.Equal(0, skipped);
        Assert.Equal(("@abc", 12345L, 42L, 3L, 128L, 99L, 7L, 1000), (s.Path, s.Inode, s.PeerInode!.Value, s.ReceiveQueue!.Value, s.SendQueue!.Value, s.FileInode!.Value, s.FileDevice!.Value, s.UserId!.Value));
        Assert.Equal(SystemSocketState.Established, s.State);
        Assert.Equal(UnixSocketType.Stream, s.Type);
    }

    [Fact]
    public void The_request_asks_for_every_unix_socket_with_name_file_peer_queues_and_owner()
    {
        byte[] request = new byte[UnixSocketDiag.RequestSize];
        UnixSocketDiag.WriteRequest(request, 7);
        Assert.Equal(40u, BitConverter.ToUInt32(request, 0));
        Assert.Equal(20, BitConverter.ToUInt16(request, 4));
        Assert.Equal(1, request[16]);
        Assert.Equal(uint.MaxValue, BitConverter.ToUInt32(request, 20));
        Assert.Equal(0x57u, BitConverter.ToUInt32(request, 28));
    }
}
