using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text;
using SocketShell.Listeners;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Listeners;

public sealed class TlsListenerTests
{
    private static X509Certificate2 SelfSigned()
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    [Fact]
    public async Task A_TLS_echo_listener_from_a_self_signed_certificate_speaks_TLS()
    {
        using X509Certificate2 cert = SelfSigned();
        SocketListener l = Start(ListenerMode.Echo, configure: o =>
        {
            o.Certificate = cert;
            o.Banner = "hi\n"u8.ToArray();
        });
        try
        {
            Assert.True(l.IsTls);
            using Socket s = await ConnectAsync(l);
            await using var tls = new SslStream(new NetworkStream(s, ownsSocket: false), false,
                (_, presented, _, _) => presented is not null && presented.GetCertHashString() == cert.GetCertHashString());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(Bound);
            byte[] banner = new byte[3];
            await tls.ReadExactlyAsync(banner).AsTask().WaitAsync(Bound);
            Assert.Equal("hi\n", Encoding.ASCII.GetString(banner));

            byte[] data = Encoding.UTF8.GetBytes("secret payload");
            await tls.WriteAsync(data);
            byte[] back = new byte[data.Length];
            await tls.ReadExactlyAsync(back).AsTask().WaitAsync(Bound);
            Assert.Equal(data, back);
            Assert.Equal("secret payload", string.Concat((await l.ReceiveAsync(int.MaxValue, 1, null, false, Bound, CancellationToken.None)).Select(m => m.Text)));
            Assert.Equal(0, l.TlsHandshakeFailures);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_client_that_does_not_speak_TLS_is_closed_and_counted()
    {
        using X509Certificate2 cert = SelfSigned();
        SocketListener l = Start(configure: o => o.Certificate = cert);
        try
        {
            using Socket s = await ConnectAsync(l);
            await s.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"), SocketFlags.None);
            try
            {
                await ReadToEndAsync(s);
            }
            catch (SocketException)
            {
                // A reset is as good as a close here.
            }

            Assert.True(await EventuallyAsync(() => l.TlsHandshakeFailures == 1 && l.ActiveConnections == 0));
            Assert.Equal(ListenerState.Listening, l.State);
            Assert.Equal(0, l.CapturedBytes);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public void A_certificate_without_a_private_key_is_refused()
    {
        using X509Certificate2 cert = SelfSigned();
        using X509Certificate2 publicOnly = X509CertificateLoader.LoadCertificate(cert.Export(X509ContentType.Cert));
        Assert.Equal(SocketErrorKind.InvalidListenerOptions, Assert.Throws<SocketShellException>(() => new ListenerRegistry().Start(new ListenerOptions { Certificate = publicOnly })).Kind);
    }
}
