using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SocketShell.SystemSockets;
using SocketShell.Engine.Tests.Skips;

namespace SocketShell.Engine.Tests.SystemSockets;

/// <summary>The real socket table on loopback: this test's own sockets, found with this process's id and name.</summary>
public class LiveSystemSocketTests
{
    private static readonly int s_pid = Environment.ProcessId;
    private static readonly string s_name = CurrentName();

    private static string CurrentName()
    {
        using Process p = Process.GetCurrentProcess();
        return p.ProcessName;
    }

    private static int CurrentUid() =>
        int.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    public static TheoryData<string> Loopbacks => new() { "127.0.0.1", "::1" };

    // Exactly these sockets, by both ends: other processes on this machine (port scans, other test
    // suites) may connect to the listener too, so nothing else on the listener's port is counted.
    private static IReadOnlyList<SystemSocket> Exactly(ISystemSocketSource source, int listenerPort, int clientPort, int serverRemotePort, int udpPort) =>
        SystemSocketQuery.Run(
            source,
            [
                new SystemSocketFilter { Protocol = [TransportProtocol.Tcp], LocalPort = [listenerPort], RemotePort = [0] },
                new SystemSocketFilter { Protocol = [TransportProtocol.Tcp], LocalPort = [clientPort], RemotePort = [listenerPort] },
                new SystemSocketFilter { Protocol = [TransportProtocol.Tcp], LocalPort = [listenerPort], RemotePort = [serverRemotePort] },
                new SystemSocketFilter { Protocol = [TransportProtocol.Udp], LocalPort = [udpPort] },
            ],
            resolveProcesses: true,
            CancellationToken.None).Sockets;

    // The Windows and macOS sources are tested by their table parsers only.
    [TheoryNeeding(Requirement.LinuxNetlink)]
    [MemberData(nameof(Loopbacks))]
    public Task Netlink_finds_its_own_listener_both_ends_of_a_connection_and_a_udp_socket_then_not_after_closing(string address)
        => FindsItsOwnSocketsAsync(LinuxTableReader.Netlink, address);

    [TheoryNeeding(Requirement.Linux)]
    [MemberData(nameof(Loopbacks))]
    public Task ProcNet_finds_its_own_listener_both_ends_of_a_connection_and_a_udp_socket_then_not_after_closing(string address)
        => FindsItsOwnSocketsAsync(LinuxTableReader.ProcNet, address);

    private static async Task FindsItsOwnSocketsAsync(LinuxTableReader reader, string address)
    {
        IPAddress ip = IPAddress.Parse(address);
        var source = new LinuxSystemSocketSource(reader: reader);
        int listenerPort, clientPort, serverRemotePort, udpPort;
        var listener = new TcpListener(ip, 0);
        listener.Start();
        try
        {
            listenerPort = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var client = new TcpClient(ip.AddressFamily);
            await client.ConnectAsync(ip, listenerPort).WaitAsync(TimeSpan.FromSeconds(10));
            clientPort = ((IPEndPoint)client.Client.LocalEndPoint!).Port;

            // Another process on the machine (a port scan, another test suite) may connect to the
            // listener too: accept until the accepted socket is the other end of our own client.
            TcpClient? accepted = null;
            for (int i = 0; i < 50 && accepted is null; i++)
            {
                TcpClient candidate = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
                if (((IPEndPoint)candidate.Client.RemoteEndPoint!).Port == clientPort)
                {
                    accepted = candidate;
                }
                else
                {
                    candidate.Dispose();
                }
            }

            using TcpClient server = accepted ?? throw new InvalidOperationException("our own connection was never accepted");
            serverRemotePort = ((IPEndPoint)server.Client.RemoteEndPoint!).Port;
            using var udp = new UdpClient(new IPEndPoint(ip, 0));
            udpPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;

            IReadOnlyList<SystemSocket> found = Exactly(source, listenerPort, clientPort, serverRemotePort, udpPort);

            var expected = new[]
            {
                (TransportProtocol.Tcp, listenerPort, 0, SystemSocketState.Listen),
                (TransportProtocol.Tcp, clientPort, listenerPort, SystemSocketState.Established),
                (TransportProtocol.Tcp, listenerPort, serverRemotePort, SystemSocketState.Established),
                (TransportProtocol.Udp, udpPort, 0, SystemSocketState.Bound),
            };
            Assert.Equal(expected.Order(), found.Select(s => (s.Protocol, s.LocalPort, s.RemotePort, s.State)).Order());
            Assert.All(found, s =>
            {
                Assert.Equal(ip, s.GetLocalAddress());
                Assert.Equal(ip.AddressFamily == AddressFamily.InterNetworkV6 ? IPFamily.IPv6 : IPFamily.IPv4, s.AddressFamily);
                Assert.Equal(s_pid, s.ProcessId);
                Assert.Contains(s_pid, s.ProcessIds);
                Assert.Equal(s_name, s.ProcessName);
                Assert.True(s.Inode > 0);
                Assert.Equal(CurrentUid(), s.UserId);
            });
        }
        finally
        {
            listener.Stop();
            listener.Dispose();
        }

        // Closed: no listener, no established pair, no UDP socket, and nothing held by this process.
        // TCP leaves the pair's closing states (TIME-WAIT, FIN-WAIT-2 ...) in the table for a while;
        // those belong to no process.
        IReadOnlyList<SystemSocket> after = Exactly(source, listenerPort, clientPort, serverRemotePort, udpPort);
        Assert.DoesNotContain(after, s => s.State is SystemSocketState.Listen or SystemSocketState.Established or SystemSocketState.Bound);
        Assert.DoesNotContain(after, s => s.Protocol == TransportProtocol.Udp);
        Assert.All(after, s =>
        {
            Assert.Null(s.ProcessId);
            Assert.Contains(s.State, new[] { SystemSocketState.TimeWait, SystemSocketState.FinWait1, SystemSocketState.FinWait2, SystemSocketState.Close, SystemSocketState.CloseWait, SystemSocketState.LastAck, SystemSocketState.Closing });
        });
    }

    [Fact]
    public void The_current_os_source_lists_a_listener_with_filters_for_process_and_listening()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        ISystemSocketSource source = SystemSocketSource.ForCurrentOS();

        SystemSocket s = Assert.Single(SystemSocketQuery.Run(source, [new SystemSocketFilter { LocalPort = [port], Listening = true, ProcessId = [s_pid] }], true, CancellationToken.None).Sockets);
        Assert.Equal((SystemSocketState.Listen, s_name), (s.State, s.ProcessName));
        Assert.Single(SystemSocketQuery.Run(source, [new SystemSocketFilter { LocalPort = [port], ProcessName = n => n == s_name, Protocol = [TransportProtocol.Tcp] }], false, CancellationToken.None).Sockets);
        Assert.Empty(SystemSocketQuery.Run(source, [new SystemSocketFilter { LocalPort = [port], Protocol = [TransportProtocol.Udp] }], true, CancellationToken.None).Sockets);
        Assert.Empty(SystemSocketQuery.Run(source, [new SystemSocketFilter { LocalPort = [port], AddressFamily = IPFamily.IPv6 }], true, CancellationToken.None).Sockets);
        Assert.Empty(SystemSocketQuery.Run(source, [new SystemSocketFilter { LocalPort = [port], ProcessId = [s_pid + 1_000_000] }], true, CancellationToken.None).Sockets);
        Assert.Empty(SystemSocketQuery.Run(source, [new SystemSocketFilter { LocalPort = [port], State = [SystemSocketState.Established], ProcessId = [s_pid] }], true, CancellationToken.None).Sockets);

        // Without process resolution nothing about the owner is claimed.
        SystemSocket bare = Assert.Single(SystemSocketQuery.Run(source, [new SystemSocketFilter { LocalPort = [port], Listening = true }], false, CancellationToken.None).Sockets);
        Assert.Null(bare.ProcessId);
    }

    [FactNeeding(Requirement.LinuxNetlink)]
    public void Netlink_and_proc_net_agree_on_a_quiet_listener()
    {
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        listener.DualMode = true;
        listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        listener.Listen();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var listening = new SystemSocketFilter { LocalPort = [port], Listening = true };
        SystemSocket a = Assert.Single(SystemSocketQuery.Run(new LinuxSystemSocketSource(reader: LinuxTableReader.Netlink), [listening], true, CancellationToken.None).Sockets);
        SystemSocket b = Assert.Single(SystemSocketQuery.Run(new LinuxSystemSocketSource(reader: LinuxTableReader.ProcNet), [listening], true, CancellationToken.None).Sockets);
        Assert.Equal((a.LocalAddress, a.LocalPort, a.State, a.Inode, a.UserId, a.ProcessId, a.ProcessName), (b.LocalAddress, b.LocalPort, b.State, b.Inode, b.UserId, b.ProcessId, b.ProcessName));
    }

    [FactNeeding(Requirement.Linux)]
    public async Task Processes_that_start_and_exit_during_scans_never_break_a_scan()
    {
        var source = new LinuxSystemSocketSource();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Task churn = Task.Run(async () =>
        {
            for (int i = 0; i < 20 && !cts.IsCancellationRequested; i++)
            {
                using Process p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "exec 3<>/dev/null; true"]) { UseShellExecute = false })!;
                await p.WaitForExitAsync(cts.Token);
            }
        });
        int scans = 0;
        while (!churn.IsCompleted && scans < 200)
        {
            SystemSocketResult result = SystemSocketQuery.Run(source, [new SystemSocketFilter()], true, cts.Token);
            Assert.Equal(Requirements.Netlink ? "netlink sock_diag" : "/proc/net", result.Table.Source);
            scans++;
        }

        await churn.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(scans > 0);
    }

    [FactNeeding(Requirement.Linux)]
    public void The_table_says_how_it_was_read()
    {
        if (Requirements.Netlink)
        {
            Assert.Equal("netlink sock_diag", new LinuxSystemSocketSource(reader: LinuxTableReader.Netlink).ReadTable(SystemSocketScope.All, CancellationToken.None).Source);
        }

        SocketTable<SystemSocket> procNet = new LinuxSystemSocketSource(reader: LinuxTableReader.ProcNet).ReadTable(SystemSocketScope.All, CancellationToken.None);
        Assert.Equal("/proc/net", procNet.Source);
        IOException missing = Assert.Throws<IOException>(() => new LinuxSystemSocketSource("/nonexistent-proc", LinuxTableReader.ProcNet).ReadTable(SystemSocketScope.All, CancellationToken.None));
        Assert.Contains("/nonexistent-proc/net/tcp6", missing.Message, StringComparison.Ordinal);
    }
}
