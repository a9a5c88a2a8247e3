using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SocketShell.Engine.Tests.Skips;
using SocketShell.Listeners;
using static SocketShell.Engine.Tests.Forward.ForwardTestHelpers;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Forward;

public sealed class TcpForwardTests
{
    [Fact]
    public async Task A_conversation_is_relayed_and_recorded_both_ways_in_order()
    {
        using var upstream = new RawUpstream();
        SocketListener l = StartForward(upstream.Target);
        try
        {
            Assert.Equal(ListenerMode.Forward, l.Mode);
            Assert.Equal(upstream.Target.ToString(), l.ForwardTo!.ToString());
            using Socket c = await ConnectAsync(l);
            using Socket server = await upstream.AcceptAsync();
            await c.SendAsync("HELO\r\n"u8.ToArray(), SocketFlags.None);
            Assert.Equal("HELO\r\n", Encoding.ASCII.GetString(await ReadExactlyAsync(server, 6)));
            await server.SendAsync("250 ok\r\n"u8.ToArray(), SocketFlags.None);
            Assert.Equal("250 ok\r\n", Encoding.ASCII.GetString(await ReadExactlyAsync(c, 8)));
            await c.SendAsync("QUIT\r\n"u8.ToArray(), SocketFlags.None);
            Assert.Equal("QUIT\r\n", Encoding.ASCII.GetString(await ReadExactlyAsync(server, 6)));

            IReadOnlyList<SocketMessage> kept = await l.ReceiveAsync(int.MaxValue, 3, null, false, Bound, CancellationToken.None);
            Assert.Equal(
                ["ClientToServer HELO\r\n", "ServerToClient 250 ok\r\n", "ClientToServer QUIT\r\n"],
                kept.Select(m => $"{m.Direction} {m.Text}"));
            Assert.All(kept, m => Assert.Equal(kept[0].ConnectionId, m.ConnectionId));
            Assert.All(kept, m => Assert.Equal(c.LocalEndPoint, m.GetRemoteEndPoint()));
            // A peer can read the bytes before the relay's send completion has counted them: wait (bounded).
            Assert.True(await EventuallyAsync(() => l.BytesReceived == 12 && l.UpstreamBytesSent == 12 && l.UpstreamBytesReceived == 8 && l.BytesSent == 8),
                $"counters: received {l.BytesReceived}, upstream sent {l.UpstreamBytesSent}, upstream received {l.UpstreamBytesReceived}, sent {l.BytesSent}");
            Assert.Equal(1, l.ActivePairs);
            Assert.Equal(0, l.ForwardFailures);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_client_half_close_reaches_the_server_which_can_still_answer()
    {
        using var upstream = new RawUpstream();
        SocketListener l = StartForward(upstream.Target);
        try
        {
            using Socket c = await ConnectAsync(l);
            using Socket server = await upstream.AcceptAsync();
            await c.SendAsync("request"u8.ToArray(), SocketFlags.None);
            c.Shutdown(SocketShutdown.Send);

            // The server reads the request and then the end of stream, while its own direction is open.
            Assert.Equal("request", Encoding.ASCII.GetString(await ReadToEndAsync(server)));
            await server.SendAsync("response after your FIN"u8.ToArray(), SocketFlags.None);
            server.Shutdown(SocketShutdown.Send);
            Assert.Equal("response after your FIN", Encoding.ASCII.GetString(await ReadToEndAsync(c)));
            Assert.True(await EventuallyAsync(() => l.ActivePairs == 0 && l.ActiveConnections == 0));
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_server_half_close_reaches_the_client_which_can_still_send()
    {
        using var upstream = new RawUpstream();
        SocketListener l = StartForward(upstream.Target);
        try
        {
            using Socket c = await ConnectAsync(l);
            using Socket server = await upstream.AcceptAsync();
            await server.SendAsync("banner, then FIN"u8.ToArray(), SocketFlags.None);
            server.Shutdown(SocketShutdown.Send);
            Assert.Equal("banner, then FIN", Encoding.ASCII.GetString(await ReadToEndAsync(c)));

            await c.SendAsync("still talking"u8.ToArray(), SocketFlags.None);
            c.Shutdown(SocketShutdown.Send);
            Assert.Equal("still talking", Encoding.ASCII.GetString(await ReadToEndAsync(server)));
            Assert.True(await EventuallyAsync(() => l.ActivePairs == 0));
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task An_upstream_reset_mid_stream_resets_the_client()
    {
        using var upstream = new RawUpstream();
        SocketListener l = StartForward(upstream.Target);
        try
        {
            using Socket c = await ConnectAsync(l);
            Socket server = await upstream.AcceptAsync();
            await c.SendAsync(new byte[1000], SocketFlags.None);
            await ReadExactlyAsync(server, 1000);
            await server.SendAsync(new byte[500], SocketFlags.None);
            await ReadExactlyAsync(c, 500);
            server.LingerState = new LingerOption(true, 0);
            server.Dispose(); // RST

            Assert.True(await EndsWithResetAsync(c), "the client saw a clean end of stream instead of a reset");
            Assert.True(await EventuallyAsync(() => l.ActivePairs == 0 && l.ActiveConnections == 0));
            Assert.Equal(ListenerState.Listening, l.State);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_client_reset_resets_the_upstream()
    {
        using var upstream = new RawUpstream();
        SocketListener l = StartForward(upstream.Target);
        try
        {
            Socket c = await ConnectAsync(l);
            using Socket server = await upstream.AcceptAsync();
            await c.SendAsync(new byte[10], SocketFlags.None);
            await ReadExactlyAsync(server, 10);
            c.LingerState = new LingerOption(true, 0);
            c.Dispose();
            Assert.True(await EndsWithResetAsync(server), "the server saw a clean end of stream instead of a reset");
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_refused_upstream_closes_the_client_promptly_counts_and_the_listener_goes_on()
    {
        // Bound but not listening: connections to it are refused, until it listens.
        using var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        target.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        SocketListener l = StartForward(ForwardTarget.FromEndPoint(target.LocalEndPoint!), configure: o => o.ConnectTimeout = TimeSpan.FromSeconds(2));
        try
        {
            using (Socket c = await ConnectAsync(l))
            {
                try
                {
                    Assert.Empty(await ReadToEndAsync(c).WaitAsync(TimeSpan.FromSeconds(5)));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                {
                    // also closed
                }
            }

            Assert.True(await EventuallyAsync(() => l.ForwardFailures == 1));
            ForwardError error = l.LastForwardError!;
            Assert.Equal(SocketErrorKind.ConnectionRefused, error.Kind);
            Assert.Equal(l.ForwardTo!.ToString(), error.Target);
            Assert.Contains("refused", error.Message, StringComparison.Ordinal);
            Assert.Equal(1, error.ConnectionId);
            Assert.Equal(0, l.ActivePairs);

            // Still serving: once the upstream listens, the next client is relayed.
            target.Listen(4);
            using Socket c2 = await ConnectAsync(l);
            using Socket server = await target.AcceptAsync().WaitAsync(Bound);
            await c2.SendAsync("ok"u8.ToArray(), SocketFlags.None);
            Assert.Equal("ok", Encoding.ASCII.GetString(await ReadExactlyAsync(server, 2)));
            Assert.Equal(1, l.ForwardFailures);
            Assert.Equal(ListenerState.Listening, l.State);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task An_upstream_that_does_not_resolve_is_counted_as_HostNotFound()
    {
        SocketListener l = StartForward(ForwardTarget.Parse("no-such-host.invalid:80"));
        try
        {
            using Socket c = await ConnectAsync(l);
            try
            {
                await ReadToEndAsync(c);
            }
            catch (SocketException)
            {
            }

            Assert.True(await EventuallyAsync(() => l.ForwardFailures == 1));
            Assert.Equal(SocketErrorKind.HostNotFound, l.LastForwardError!.Kind);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task With_capture_limit_zero_the_relay_keeps_nothing_and_counts_every_byte_dropped()
    {
        SocketListener echo = Start(ListenerMode.Echo, configure: o => o.CaptureLimit = 0);
        SocketListener l = StartForward(TargetOf(echo), configure: o => o.CaptureLimit = 0);
        try
        {
            using Socket c = await ConnectAsync(l);
            byte[] data = new byte[300_000];
            Random.Shared.NextBytes(data);
            Assert.Equal(data, await RoundTripAsync(c, data));
            Assert.True(await EventuallyAsync(() => l.BytesSent == data.Length));
            Assert.Equal(0, l.CapturedBytes);
            Assert.Equal(0, l.PendingMessages);
            Assert.Equal(2L * data.Length, l.DroppedBytes);
        }
        finally
        {
            await l.StopAsync();
            await echo.StopAsync();
        }
    }

    [Fact]
    public async Task A_full_capture_never_stops_the_relay()
    {
        SocketListener echo = Start(ListenerMode.Echo, configure: o => o.CaptureLimit = 0);
        SocketListener l = StartForward(TargetOf(echo), configure: o => o.CaptureLimit = 64 * 1024);
        try
        {
            using Socket c = await ConnectAsync(l);
            byte[] data = new byte[4 * 1024 * 1024];
            Random.Shared.NextBytes(data);
            Assert.Equal(data, await RoundTripAsync(c, data));
            Assert.True(await EventuallyAsync(() => l.BytesSent == data.Length));
            Assert.True(l.CapturedBytes <= 64 * 1024);
            Assert.Equal(2L * data.Length, l.CapturedBytes + l.DroppedBytes);
        }
        finally
        {
            await l.StopAsync();
            await echo.StopAsync();
        }
    }

    [Fact]
    public async Task The_idle_timeout_closes_a_silent_pair()
    {
        using var upstream = new RawUpstream();
        SocketListener l = StartForward(upstream.Target, configure: o => o.IdleTimeout = TimeSpan.FromMilliseconds(300));
        try
        {
            using Socket c = await ConnectAsync(l);
            using Socket server = await upstream.AcceptAsync();
            Assert.Empty(await ReadToEndAsync(c));
            Assert.Empty(await ReadToEndAsync(server));
            Assert.True(await EventuallyAsync(() => l.ActivePairs == 0));
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task IPv6_loopback_works_on_both_sides()
    {
        using var upstream = new RawUpstream(IPAddress.IPv6Loopback);
        SocketListener l = StartForward(ForwardTarget.Parse($"[::1]:{upstream.EndPoint.Port}"), configure: o => o.Address = IPAddress.IPv6Loopback);
        try
        {
            using Socket c = await ConnectAsync(l);
            using Socket server = await upstream.AcceptAsync();
            await c.SendAsync("six"u8.ToArray(), SocketFlags.None);
            Assert.Equal("six", Encoding.ASCII.GetString(await ReadExactlyAsync(server, 3)));
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [FactNeeding(Requirement.UnixDomainSockets)]
    public async Task A_Unix_socket_path_upstream_is_reached_through_the_same_connector()
    {
        string dir = Directory.CreateTempSubdirectory("ss-fwd-").FullName;
        string path = Path.Combine(dir, "up.sock");
        using var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        unix.Bind(new UnixDomainSocketEndPoint(path));
        unix.Listen(4);
        SocketListener l = StartForward(ForwardTarget.Parse("unix:" + path));
        try
        {
            using Socket c = await ConnectAsync(l);
            using Socket server = await unix.AcceptAsync().WaitAsync(Bound);
            await c.SendAsync("over a path"u8.ToArray(), SocketFlags.None);
            Assert.Equal("over a path", Encoding.ASCII.GetString(await ReadExactlyAsync(server, 11)));
            await server.SendAsync("back"u8.ToArray(), SocketFlags.None);
            Assert.Equal("back", Encoding.ASCII.GetString(await ReadExactlyAsync(c, 4)));
            Assert.Equal(path, l.ForwardTo!.ToString());
        }
        finally
        {
            await l.StopAsync();
            unix.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_TLS_front_terminates_TLS_and_relays_plain_text_upstream()
    {
        using X509Certificate2 cert = SelfSigned();
        using var upstream = new RawUpstream();
        SocketListener l = StartForward(upstream.Target, configure: o => o.Certificate = cert);
        try
        {
            using Socket c = await ConnectAsync(l);
            await using var tls = new SslStream(new NetworkStream(c, ownsSocket: false), false,
                (_, presented, _, _) => presented is not null && presented.GetCertHashString() == cert.GetCertHashString());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(Bound);
            using Socket server = await upstream.AcceptAsync();
            await tls.WriteAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray());
            Assert.Equal("GET / HTTP/1.0\r\n\r\n", Encoding.ASCII.GetString(await ReadExactlyAsync(server, 18)));
            await server.SendAsync("HTTP/1.0 200 OK\r\n\r\n"u8.ToArray(), SocketFlags.None);
            server.Shutdown(SocketShutdown.Send);
            byte[] answer = new byte[19];
            await tls.ReadExactlyAsync(answer).AsTask().WaitAsync(Bound);
            Assert.Equal("HTTP/1.0 200 OK\r\n\r\n", Encoding.ASCII.GetString(answer));
            Assert.Equal(0, await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(Bound)); // close_notify + FIN passed on
            Assert.Equal("GET / HTTP/1.0\r\n\r\n", (await l.ReceiveAsync(1, 1, null, true, Bound, CancellationToken.None))[0].Text);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task ForwardTls_speaks_TLS_to_a_TLS_upstream()
    {
        using X509Certificate2 cert = SelfSigned();
        SocketListener tlsEcho = Start(ListenerMode.Echo, configure: o => o.Certificate = cert);
        SocketListener l = StartForward(ForwardTarget.Parse($"localhost:{tlsEcho.Port}"), configure: o =>
        {
            o.ForwardTls = true;
            o.SkipCertificateCheck = true; // self-signed: not trusted by this machine
        });
        try
        {
            using Socket c = await ConnectAsync(l);
            await c.SendAsync("plain here, TLS upstream"u8.ToArray(), SocketFlags.None);
            Assert.Equal("plain here, TLS upstream", Encoding.ASCII.GetString(await ReadExactlyAsync(c, 24)));
            Assert.Equal("plain here, TLS upstream", string.Concat((await tlsEcho.ReceiveAsync(int.MaxValue, 1, null, false, Bound, CancellationToken.None)).Select(m => m.Text)));
            Assert.True(l.ForwardTls);
        }
        finally
        {
            await l.StopAsync();
            await tlsEcho.StopAsync();
        }
    }

    [Fact]
    public async Task ForwardTls_validates_the_upstream_certificate_by_default()
    {
        using X509Certificate2 cert = SelfSigned();
        SocketListener tlsEcho = Start(ListenerMode.Echo, configure: o => o.Certificate = cert);
        SocketListener l = StartForward(ForwardTarget.Parse($"localhost:{tlsEcho.Port}"), configure: o => o.ForwardTls = true);
        try
        {
            using Socket c = await ConnectAsync(l);
            try
            {
                await ReadToEndAsync(c);
            }
            catch (SocketException)
            {
            }

            Assert.True(await EventuallyAsync(() => l.ForwardFailures == 1));
            Assert.Equal(SocketErrorKind.TlsHandshakeFailed, l.LastForwardError!.Kind);
            Assert.Contains("localhost", l.LastForwardError.Message, StringComparison.Ordinal);
        }
        finally
        {
            await l.StopAsync();
            await tlsEcho.StopAsync();
        }
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData(null, "localhost")]
    [InlineData(null, "127.0.0.1")]
    public void A_listener_forwarding_to_itself_is_refused_and_leaves_the_port_free(string? address, string targetHost)
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        foreach (TransportProtocol protocol in new[] { TransportProtocol.Tcp, TransportProtocol.Udp })
        {
            var options = new ListenerOptions
            {
                Protocol = protocol,
                Mode = ListenerMode.Forward,
                Address = address is null ? null : IPAddress.Parse(address),
                Port = port,
                ForwardTo = ForwardTarget.Parse($"{targetHost}:{port}"),
            };
            SocketShellException e = Assert.Throws<SocketShellException>(() => new ListenerRegistry().Start(options));
            Assert.Equal(SocketErrorKind.InvalidListenerOptions, e.Kind);
            Assert.Contains("itself", e.Message, StringComparison.Ordinal);
        }

        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        again.Bind(new IPEndPoint(IPAddress.Loopback, port)); // the refused listener closed its socket
    }

    [Fact]
    public void Options_that_contradict_Forward_mode_are_refused_before_binding()
    {
        var target = ForwardTarget.Parse("127.0.0.1:9");
        var registry = new ListenerRegistry();
        void Refused(SocketErrorKind kind, string words, ListenerOptions options)
        {
            SocketShellException e = Assert.Throws<SocketShellException>(() => registry.Start(options));
            Assert.Equal(kind, e.Kind);
            Assert.Contains(words, e.Message, StringComparison.Ordinal);
        }

        Refused(SocketErrorKind.InvalidListenerOptions, "needs a target", new ListenerOptions { Mode = ListenerMode.Forward });
        Refused(SocketErrorKind.InvalidListenerOptions, "Forward mode only", new ListenerOptions { Mode = ListenerMode.Echo, ForwardTo = target });
        Refused(SocketErrorKind.InvalidListenerOptions, "Banner", new ListenerOptions { Mode = ListenerMode.Forward, ForwardTo = target, Banner = [1] });
        Refused(SocketErrorKind.TcpOnlyParameter, "ForwardTls", new ListenerOptions { Protocol = TransportProtocol.Udp, Mode = ListenerMode.Forward, ForwardTo = target, ForwardTls = true });
        Refused(SocketErrorKind.InvalidListenerOptions, "SkipCertificateCheck", new ListenerOptions { Mode = ListenerMode.Forward, ForwardTo = target, SkipCertificateCheck = true });
        Refused(SocketErrorKind.InvalidListenerOptions, "connect timeout", new ListenerOptions { Mode = ListenerMode.Forward, ForwardTo = target, ConnectTimeout = TimeSpan.Zero });
        Refused(SocketErrorKind.InvalidListenerOptions, "socket path", new ListenerOptions { Protocol = TransportProtocol.Udp, Mode = ListenerMode.Forward, ForwardTo = ForwardTarget.Parse("/run/x.sock") });
        Assert.Empty(registry.All);
    }
}
