using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SocketShell.Client;

namespace SocketShell.Engine.Tests.Client;

public sealed class ClientTlsTests : IDisposable
{
    private readonly SocketSessions _sessions = new();

    private readonly X509Certificate2 _certificate = Peer.SelfSignedCertificate();
    private readonly TcpListener _listener = Peer.Listen(IPAddress.Loopback);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Dispose();
        _certificate.Dispose();
    }

    private SocketConnectOptions Tls(string host = "127.0.0.1", string? serverName = null, bool skip = false) => new()
    {
        ComputerName = host,
        Port = Peer.PortOf(_listener),
        UseTls = true,
        ServerName = serverName,
        SkipCertificateCheck = skip,
        Timeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public async Task An_untrusted_certificate_is_TlsHandshakeFailed_with_the_reason()
    {
        Task server = ServerHandshakeIgnoringFailureAsync();
        var e = await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(Tls(), _sessions, CancellationToken.None).WaitAsync(Peer.Bound));
        await server.WaitAsync(Peer.Bound);
        Assert.Equal(SocketErrorKind.TlsHandshakeFailed, e.Kind);
        Assert.Equal($"127.0.0.1:{Peer.PortOf(_listener)}", e.Target);
        Assert.Contains("RemoteCertificateChainErrors", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RemoteCertificateNameMismatch", e.Message, StringComparison.Ordinal);
        Assert.IsType<AuthenticationException>(e.InnerException);
    }

    [Fact]
    public async Task A_server_name_the_certificate_does_not_carry_is_reported_as_a_name_mismatch()
    {
        Task server = ServerHandshakeIgnoringFailureAsync();
        var e = await Assert.ThrowsAsync<SocketShellException>(
            () => SocketClient.ConnectAsync(Tls(serverName: "other.test"), _sessions, CancellationToken.None).WaitAsync(Peer.Bound));
        await server.WaitAsync(Peer.Bound);
        Assert.Equal(SocketErrorKind.TlsHandshakeFailed, e.Kind);
        Assert.Contains("RemoteCertificateNameMismatch", e.Message, StringComparison.Ordinal);
        Assert.Contains("'other.test'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SkipCertificateCheck_connects_and_describes_the_session()
    {
        Task<(Socket Socket, SslStream Tls)> accept = Peer.AcceptTlsAsync(_listener, _certificate);
        using SocketConnection client = await SocketClient.ConnectAsync(Tls(host: "localhost", skip: true), _sessions, CancellationToken.None).WaitAsync(Peer.Bound);
        (Socket socket, SslStream tls) = await accept;
        using (socket)
        using (tls)
        {
            Assert.True(client.IsTls);
            Assert.Equal("localhost", client.ServerName);
            Assert.Equal(tls.SslProtocol, client.TlsProtocol);
            Assert.Contains(client.TlsProtocol, new SslProtocols?[] { SslProtocols.Tls12, SslProtocols.Tls13 });
            Assert.Equal(tls.NegotiatedCipherSuite, client.CipherSuite);
            Assert.Equal(_certificate.Thumbprint, client.GetRemoteCertificate()!.Thumbprint);
            Assert.Equal(new DateTimeOffset(_certificate.NotAfter), client.CertificateExpires);

            // Application data both ways, counted before encryption.
            await client.SendAsync("ping\n"u8.ToArray(), CancellationToken.None);
            var buffer = new byte[5];
            await tls.ReadExactlyAsync(buffer).AsTask().WaitAsync(Peer.Bound);
            Assert.Equal("ping\n"u8.ToArray(), buffer);
            await tls.WriteAsync("pong\r\n"u8.ToArray());
            Assert.Equal("pong", (await client.ReceiveLineAsync(TimeSpan.FromSeconds(5), null, CancellationToken.None))!.Text);
            Assert.Equal(5, client.BytesSent);
            Assert.Equal(6, client.BytesReceived);

            // Disconnect sends close_notify then FIN: the server reads a clean end of stream.
            Task disconnect = client.DisconnectAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.Equal(0, await tls.ReadAsync(buffer).AsTask().WaitAsync(Peer.Bound));
            socket.Shutdown(SocketShutdown.Both);
            await disconnect.WaitAsync(Peer.Bound);
            Assert.Equal(SocketConnectionState.Closed, client.State);
        }
    }

    [Fact]
    public async Task A_server_that_does_not_speak_tls_is_TlsHandshakeFailed()
    {
        Task server = Task.Run(async () =>
        {
            using Socket s = await Peer.AcceptTlsClientAsync(_listener);
            await Peer.SendAsync(s, "SSH-2.0-not-tls\r\n");
            s.Shutdown(SocketShutdown.Both);
        });
        var e = await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(Tls(skip: true), _sessions, CancellationToken.None).WaitAsync(Peer.Bound));
        await server.WaitAsync(Peer.Bound);
        Assert.Equal(SocketErrorKind.TlsHandshakeFailed, e.Kind);
    }

    [Fact]
    public async Task A_server_that_never_answers_the_handshake_is_ConnectTimeout()
    {
        Task<Socket> accept = Peer.AcceptAsync(_listener);
        SocketConnectOptions options = Tls(skip: true);
        options.Timeout = TimeSpan.FromSeconds(2); // room for the connect on a loaded machine: only the handshake may time out
        var e = await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(options, _sessions, CancellationToken.None).WaitAsync(Peer.Bound));
        using Socket silent = await accept;
        Assert.Equal(SocketErrorKind.ConnectTimeout, e.Kind);
        Assert.Contains("TLS handshake", e.Message, StringComparison.Ordinal);
    }

    private Task ServerHandshakeIgnoringFailureAsync() => Task.Run(async () =>
    {
        try
        {
            (Socket socket, SslStream tls) = await Peer.AcceptTlsAsync(_listener, _certificate);
            tls.Dispose();
            socket.Dispose();
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            // The client refused the certificate: expected.
        }
    });
}
