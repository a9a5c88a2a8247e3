using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using SocketShell.Client;

namespace SocketShell.Engine.Tests.Client;

public sealed class ClientReceiveTests : IDisposable
{
    private readonly SocketSessions _sessions = new();

    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);
    private readonly TcpListener _listener = Peer.Listen(IPAddress.Loopback);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Dispose();
    }

    [Fact]
    public async Task A_line_split_across_writes_is_framed_and_bytes_after_the_newline_are_kept()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            await Peer.SendAsync(server, "hel");
            await Peer.WaitUntilAsync(() => client.BytesReceived == 3, "the first part");
            Task<SocketMessage?> line = client.ReceiveLineAsync(s_wait, null, CancellationToken.None);
            await Peer.SendAsync(server, "lo\r\nwor");
            SocketMessage? first = await line;
            await Peer.SendAsync(server, "ld\nlast");
            SocketMessage? second = await client.ReceiveLineAsync(s_wait, null, CancellationToken.None);

            Assert.Equal("hello", first!.Text);
            Assert.Equal("hello"u8.ToArray(), first.Data);
            Assert.Equal("world", second!.Text);
            Assert.Equal(TransportProtocol.Tcp, first.Protocol);
            Assert.Equal(client.Id, first.SocketId);
            Assert.Equal(client.RemoteEndPoint, first.RemoteEndPoint);
            Assert.Equal(client.LocalEndPoint, first.LocalEndPoint);
            Assert.Equal(4, client.BufferedBytes);
            Assert.Equal(3 + 7 + 7, client.BytesReceived);
        }
    }

    [Fact]
    public async Task Lines_then_an_unfinished_last_line_then_the_end_of_the_stream()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        {
            await Peer.SendAsync(server, "a\nb\r\n\nc");
            server.Shutdown(SocketShutdown.Send);
            server.Dispose();
            string?[] lines = new string?[5];
            for (int i = 0; i < lines.Length; i++)
            {
                lines[i] = (await client.ReceiveLineAsync(s_wait, null, CancellationToken.None))?.Text;
            }

            Assert.Equal(new string?[] { "a", "b", "", "c", null }, lines);
            Assert.Equal(SocketConnectionState.Closed, client.State);
            Assert.NotNull(client.ClosedAt);
            Assert.Null(client.Error);
        }
    }

    [Fact]
    public async Task Until_a_delimiter_split_across_writes()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            Task<SocketMessage?> until = client.ReceiveUntilAsync("> ", s_wait, null, CancellationToken.None);
            await Peer.SendAsync(server, "login: ok\nPROMPT>");
            await Peer.WaitUntilAsync(() => client.BytesReceived == 17, "the first part");
            await Peer.SendAsync(server, " rest");
            Assert.Equal("login: ok\nPROMPT", (await until)!.Text);
            Assert.Equal("rest", (await client.ReceiveAvailableAsync(s_wait, null, CancellationToken.None))!.Text);
        }
    }

    [Fact]
    public async Task Exactly_a_byte_count_across_writes_with_the_rest_kept()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            Task<SocketMessage?> bytes = client.ReceiveBytesAsync(10, s_wait, null, CancellationToken.None);
            await server.SendAsync(new byte[] { 0, 1, 2 });
            await Peer.WaitUntilAsync(() => client.BytesReceived == 3, "the first part");
            await server.SendAsync(new byte[] { 3, 4, 5, 6, 7, 8, 9, 10, 11 });
            Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, (await bytes)!.Data);
            Assert.Equal(new byte[] { 10, 11 }, (await client.ReceiveBytesAsync(2, s_wait, null, CancellationToken.None))!.Data);
        }
    }

    [Fact]
    public async Task A_timeout_keeps_what_arrived_for_the_next_read()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            Assert.Null(await client.ReceiveAvailableAsync(TimeSpan.FromMilliseconds(100), null, CancellationToken.None));
            await Peer.SendAsync(server, "abc");
            await Peer.WaitUntilAsync(() => client.BufferedBytes == 3, "abc");
            var e = await Assert.ThrowsAsync<SocketShellException>(() => client.ReceiveLineAsync(TimeSpan.FromMilliseconds(100), null, CancellationToken.None));
            Assert.Equal(SocketErrorKind.OperationTimeout, e.Kind);
            Assert.Contains("3 byte(s)", e.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<SocketShellException>(() => client.ReceiveBytesAsync(4, TimeSpan.FromMilliseconds(100), null, CancellationToken.None));
            await Peer.SendAsync(server, "\n");
            Assert.Equal("abc", (await client.ReceiveLineAsync(s_wait, null, CancellationToken.None))!.Text);
            Assert.Equal(SocketConnectionState.Open, client.State);
        }
    }

    [Fact]
    public async Task Cancellation_stops_a_receive_and_keeps_the_connection()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            using var cts = new CancellationTokenSource();
            Task<SocketMessage?> line = client.ReceiveLineAsync(TimeSpan.FromMinutes(5), null, cts.Token);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => line.WaitAsync(Peer.Bound));
            await Peer.SendAsync(server, "still here\n");
            Assert.Equal("still here", (await client.ReceiveLineAsync(s_wait, null, CancellationToken.None))!.Text);
        }
    }

    [Fact]
    public async Task The_line_end_and_delimiter_follow_the_encoding()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            var utf16 = new UnicodeEncoding(bigEndian: false, byteOrderMark: false);
            await server.SendAsync(utf16.GetBytes("héllo\r\nwörld|x"));
            Assert.Equal("héllo", (await client.ReceiveLineAsync(s_wait, utf16, CancellationToken.None))!.Text);
            Assert.Equal("wörld", (await client.ReceiveUntilAsync("|", s_wait, utf16, CancellationToken.None))!.Text);
        }
    }

    [Fact]
    public async Task The_end_of_the_stream_closes_normally_and_sending_is_then_ConnectionClosed()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        {
            await Peer.SendAsync(server, "bye");
            server.Dispose();
            Assert.Equal("bye", (await client.ReceiveAvailableAsync(s_wait, null, CancellationToken.None))!.Text);
            Assert.Null(await client.ReceiveAvailableAsync(s_wait, null, CancellationToken.None));
            Assert.Equal(SocketConnectionState.Closed, client.State);
            var e = await Assert.ThrowsAsync<SocketShellException>(() => client.SendAsync("x"u8.ToArray(), CancellationToken.None));
            Assert.Equal(SocketErrorKind.ConnectionClosed, e.Kind);
        }
    }

    [Fact]
    public async Task A_reset_mid_stream_faults_the_connection_after_what_arrived_is_read()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        {
            await Peer.SendAsync(server, "partial");
            await Peer.WaitUntilAsync(() => client.BytesReceived == 7, "the data before the reset");
            server.LingerState = new LingerOption(true, 0);
            server.Dispose(); // RST
            await Peer.WaitUntilAsync(() => client.State != SocketConnectionState.Open, "the reset");

            Assert.Equal(SocketConnectionState.Faulted, client.State);
            Assert.Contains("reset", client.Error, StringComparison.Ordinal);
            Assert.Equal("partial", (await client.ReceiveAvailableAsync(s_wait, null, CancellationToken.None))!.Text);
            var received = await Assert.ThrowsAsync<SocketShellException>(() => client.ReceiveAvailableAsync(s_wait, null, CancellationToken.None));
            Assert.Equal(SocketErrorKind.ConnectionReset, received.Kind);
            var sent = await Assert.ThrowsAsync<SocketShellException>(() => client.SendAsync("x"u8.ToArray(), CancellationToken.None));
            Assert.Equal(SocketErrorKind.ConnectionClosed, sent.Kind);
        }
    }

    [Fact]
    public async Task The_peer_half_closing_still_delivers_everything_it_sent()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            await client.SendAsync("request\n"u8.ToArray(), CancellationToken.None);
            Assert.Equal("request\n"u8.ToArray(), await Peer.ReadAsync(server, 8));
            await Peer.SendAsync(server, "response");
            server.Shutdown(SocketShutdown.Send);
            Assert.Equal("response", (await client.ReceiveUntilAsync("never", s_wait, null, CancellationToken.None))!.Text);
            Assert.Equal(SocketConnectionState.Closed, client.State);
            Assert.Equal(8, client.BytesSent);
            Assert.Equal(8, client.BytesReceived);
        }
    }

    [Fact]
    public async Task Disconnect_half_closes_then_drains_what_the_peer_still_sends()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (server)
        {
            await client.SendAsync("last words"u8.ToArray(), CancellationToken.None);
            Task disconnect = client.DisconnectAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            // The peer sees our data then a normal end of stream (FIN, not a reset)...
            Assert.Equal("last words"u8.ToArray(), await Peer.ReadAsync(server, 100));
            // ...and can still answer before it closes: the drain reads it, so the close is clean.
            await Peer.SendAsync(server, "tail");
            server.Shutdown(SocketShutdown.Both);
            await disconnect.WaitAsync(Peer.Bound);
            Assert.Equal(SocketConnectionState.Closed, client.State);
            Assert.Equal(4, client.BytesReceived);
            Assert.Null(_sessions.Get(client.Id));
            var e = await Assert.ThrowsAsync<SocketShellException>(() => client.SendAsync("x"u8.ToArray(), CancellationToken.None));
            Assert.Equal(SocketErrorKind.ConnectionClosed, e.Kind);
        }
    }

    [Fact]
    public async Task Send_after_disconnect_is_ConnectionClosed()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (server)
        {
            client.Dispose();
            var e = await Assert.ThrowsAsync<SocketShellException>(() => client.SendAsync("x"u8.ToArray(), CancellationToken.None));
            Assert.Equal(SocketErrorKind.ConnectionClosed, e.Kind);
            Assert.Equal(client.Target, e.Target);
            Assert.Equal(SocketConnectionState.Closed, client.State);
            Assert.Null(await client.ReceiveAvailableAsync(s_wait, null, CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_large_stream_through_a_small_buffer_arrives_whole_and_in_order()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            client.BufferLimit = 4096;
            byte[] sent = RandomNumberGenerator.GetBytes(1_000_000);
            Task send = server.SendAsync(sent.AsMemory()).AsTask();
            using var received = new MemoryStream();
            SocketMessage big = (await client.ReceiveBytesAsync(300_000, s_wait, null, CancellationToken.None))!;
            received.Write(big.Data);
            Assert.True(client.BufferedBytes <= 300_000 + 65_536, "the reader kept taking data beyond what was asked");
            while (received.Length < sent.Length)
            {
                SocketMessage chunk = (await client.ReceiveAvailableAsync(s_wait, null, CancellationToken.None))!;
                Assert.True(chunk.Length <= 4096 + 65_536, "the buffer grew past its limit");
                received.Write(chunk.Data);
            }

            await send.WaitAsync(Peer.Bound);
            Assert.Equal(SHA256.HashData(sent), SHA256.HashData(received.ToArray()));
        }
    }

    [Fact]
    public async Task A_line_longer_than_the_buffer_limit_is_refused_not_buffered_without_bound()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            client.BufferLimit = 1000;
            await server.SendAsync(new byte[5000]);
            await Peer.WaitUntilAsync(() => client.BufferedBytes >= 1000, "the buffer to fill");
            Assert.Equal(SocketErrorKind.FrameTooLong, (await Assert.ThrowsAsync<SocketShellException>(() => client.ReceiveLineAsync(s_wait, null, CancellationToken.None))).Kind);
            Assert.True(client.BufferedBytes < 1000 + 65_536);
        }
    }

    [Fact]
    public async Task A_receive_that_meets_the_end_of_the_stream_always_sees_State_Closed()
    {
        // The contract Receive-SocketData relies on: null from a receive with time left means the stream ended, and State says so.
        for (int i = 0; i < 20; i++)
        {
            (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
            using (client)
            {
                Task<SocketMessage?> receive = client.ReceiveAvailableAsync(s_wait, null, CancellationToken.None);
                server.Dispose();
                Assert.Null(await receive);
                Assert.Equal(SocketConnectionState.Closed, client.State);
            }
        }
    }

    [Fact]
    public async Task Two_receives_at_once_are_refused()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            Task<SocketMessage?> first = client.ReceiveLineAsync(s_wait, null, CancellationToken.None);
            Assert.Equal(SocketErrorKind.ReceiveInProgress, (await Assert.ThrowsAsync<SocketShellException>(() => client.ReceiveAvailableAsync(s_wait, null, CancellationToken.None))).Kind);
            await Peer.SendAsync(server, "x\n");
            Assert.Equal("x", (await first)!.Text);
        }
    }
}
