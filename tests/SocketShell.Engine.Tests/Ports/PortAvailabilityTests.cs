using System.Net.Sockets;
using System.Net;
using SocketShell.Common;
using SocketShell.Ports;
using SocketShell.Engine.Tests.Skips;

namespace SocketShell.Engine.Tests.Ports;

public class PortAvailabilityTests
{
    [Theory]
    [InlineData(AvailabilityProtocol.Tcp)]
    [InlineData(AvailabilityProtocol.Udp)]
    [InlineData(AvailabilityProtocol.Both)]
    public void Free_ports_are_distinct_in_range_and_really_bindable(AvailabilityProtocol protocol)
    {
        List<int> ports = PortAvailability.FindFree(IPAddress.Loopback, protocol, 32768, 60999, 5, null, CancellationToken.None);
        Assert.Equal(5, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 32768, 60999));
        foreach (int port in ports)
        {
            if (protocol != AvailabilityProtocol.Udp)
            {
                using var l = new TcpListener(IPAddress.Loopback, port);
                l.Start(); // throws if the port were taken
                l.Stop();
            }

            if (protocol != AvailabilityProtocol.Tcp)
            {
                using var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            }
        }
    }

    [Fact]
    public async Task A_port_held_in_TIME_WAIT_is_not_free_as_a_non_dotnet_server_would_see()
    {
        // The server side closes first (active close), so its port 127.0.0.1:P stays in TIME_WAIT.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(10));
            using (Socket server = await listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(10)))
            {
                server.Shutdown(SocketShutdown.Both);
            }

            listener.Stop();
            Assert.Equal(0, await client.ReceiveAsync(new byte[1], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10)));
        }

        // The client's FIN reaches the server side asynchronously: bounded wait until the port is held.
        // With SO_REUSEADDR on (what Socket.Bind does on Unix) the probe would bind and this never turns false.
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (PortAvailability.IsFree(IPAddress.Loopback, port, AvailabilityProtocol.Tcp) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.False(PortAvailability.IsFree(IPAddress.Loopback, port, AvailabilityProtocol.Tcp));
        Assert.Empty(PortAvailability.FindFree(IPAddress.Loopback, AvailabilityProtocol.Tcp, port, port, 1, null, CancellationToken.None));
        if (OperatingSystem.IsLinux())
        {
            // It is TIME_WAIT (state 06) that holds it, not something else.
            string hex = port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains(File.ReadAllLines("/proc/net/tcp"), l => l.Contains($"0100007F:{hex} ", StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3] == "06");
        }
    }

    [Fact]
    public void A_port_in_use_is_not_free_and_the_search_reports_fewer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int taken = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.False(PortAvailability.IsFree(IPAddress.Loopback, taken, AvailabilityProtocol.Tcp));
        Assert.Empty(PortAvailability.FindFree(IPAddress.Loopback, AvailabilityProtocol.Tcp, taken, taken, 1, null, CancellationToken.None));

        // UDP on the same number is a different port.
        Assert.True(PortAvailability.IsFree(IPAddress.Loopback, taken, AvailabilityProtocol.Udp));
        Assert.False(PortAvailability.IsFree(IPAddress.Loopback, taken, AvailabilityProtocol.Both));
    }

    [Fact]
    public void A_udp_port_in_use_is_not_free_for_udp()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int taken = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        Assert.False(PortAvailability.IsFree(IPAddress.Loopback, taken, AvailabilityProtocol.Udp));
    }

    [FactNeeding(Requirement.IPv6)]
    public void Ipv6_loopback_works()
    {
        int port = Assert.Single(PortAvailability.FindFree(IPAddress.IPv6Loopback, AvailabilityProtocol.Tcp, 40000, 50000, 1, null, CancellationToken.None));
        using var l = new TcpListener(IPAddress.IPv6Loopback, port);
        l.Start();
        l.Stop();
    }

    [Fact]
    public void Skipped_ports_are_never_returned_and_asking_for_the_whole_range_finds_what_there_is()
    {
        List<int> ports = PortAvailability.FindFree(IPAddress.Loopback, AvailabilityProtocol.Tcp, 45000, 45009, 10, p => p % 2 == 0, CancellationToken.None);
        Assert.All(ports, p => Assert.True(p % 2 == 1));
        Assert.InRange(ports.Count, 0, 5);
    }

    [Fact]
    public void Cancellation_stops_the_search()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
            PortAvailability.FindFree(IPAddress.Loopback, AvailabilityProtocol.Tcp, 1024, 65535, 100, null, cts.Token));
    }

    [Fact]
    public void An_address_not_on_this_machine_is_an_error_not_a_wrong_answer()
    {
        // 127.0.0.1 is bound; an IPv6 documentation address (2001:db8::/32) is not on any machine.
        // Binding it fails locally; nothing is sent anywhere.
        var e = Assert.ThrowsAny<SocketException>(() =>
            PortAvailability.FindFree(IPAddress.Parse("2001:db8::1"), AvailabilityProtocol.Tcp, 40000, 40010, 1, null, CancellationToken.None));
        Assert.Equal(SocketErrorKind.AddressNotAvailable, SocketFailure.Classify(e));
    }
}
