using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SocketShell.Common;

namespace SocketShell.Scan;

/// <summary>
/// The work after an open TCP handshake (<see cref="PostConnectOptions"/>): TLS facts and a banner,
/// written onto the Open result. Nothing here changes the result's Status: a port that does not speak
/// TLS, or fails the handshake, or says nothing, is still Open, with what went wrong recorded.
/// </summary>
internal static class PostConnectStage
{
    /// <summary>The most a probe waits for the server's side of a clean TLS close.</summary>
    private static readonly TimeSpan s_closeWait = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Runs the stage on <paramref name="socket"/> (which it owns and closes, with RST) and fills
    /// <paramref name="status"/>. Only <paramref name="cancellationToken"/> (the scan's stop) ends it
    /// with <see cref="OperationCanceledException"/>; every other failure is recorded.
    /// </summary>
    public static async Task RunAsync(Socket socket, PortStatus status, PostConnectOptions options, TimeSpan probeTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        Stream channel = stream;
        SslStream? ssl = null;
        try
        {
            if (options.Tls)
            {
                ssl = new SslStream(stream, leaveInnerStreamOpen: true);
                if (!await HandshakeAsync(ssl, status, options, options.TlsTimeout ?? probeTimeout, time, cancellationToken).ConfigureAwait(false))
                {
                    return; // no TLS session: nothing to read a banner from
                }

                channel = ssl;
            }

            if (options.Send is not null || options.ReadBanner)
            {
                await ExchangeAsync(channel, status, options, options.BannerTimeout ?? probeTimeout, time, cancellationToken).ConfigureAwait(false);
            }

            if (ssl is not null)
            {
                await CloseNotifyAsync(ssl, stream, probeTimeout, time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ssl?.Dispose();
        }
    }

    private static async Task<bool> HandshakeAsync(SslStream ssl, PortStatus status, PostConnectOptions options, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        string serverName = ServerNameFor(options.ServerName, status.ComputerName);
        var sslOptions = new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            EnabledSslProtocols = options.TlsProtocol,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                // Record, never refuse: the point is to report the certificate, valid or not.
                RecordCertificate(status, certificate, chain, errors, serverName, time);
                return true;
            },
        };

        using var deadline = new Deadline(timeout, time, cancellationToken);
        try
        {
            await ssl.AuthenticateAsClientAsync(sslOptions, deadline.Token).ConfigureAwait(false);
            status.TlsProtocol = ssl.SslProtocol;
            status.CipherSuite = ssl.NegotiatedCipherSuite;
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            status.TlsError = string.Create(CultureInfo.InvariantCulture, $"The TLS handshake did not finish within {timeout.TotalSeconds:0.###} s.");
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException or ObjectDisposedException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            status.TlsError = e.InnerException is null || e.InnerException.Message == e.Message
                ? e.Message
                : $"{e.Message} ({e.InnerException.Message})";
        }

        status.TlsProtocol = SslProtocols.None;
        return false;
    }

    /// <summary>
    /// Ends the TLS session politely: close_notify, then a FIN, then (briefly) the server's own close,
    /// (at most 500 ms, or Timeout if shorter), so the server sees a completed handshake and a clean close, not a reset in the middle of its
    /// handshake (a probe that closed at once with RST showed up as a failed handshake in the server's
    /// counters and logs). The socket is still closed with RST afterwards: nothing is left in TIME_WAIT.
    /// </summary>
    private static async Task CloseNotifyAsync(SslStream ssl, NetworkStream stream, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(timeout < s_closeWait ? timeout : s_closeWait, time, cancellationToken);
        try
        {
            await ssl.ShutdownAsync().WaitAsync(deadline.Token).ConfigureAwait(false);
            stream.Socket.Shutdown(SocketShutdown.Send);
            byte[] sink = new byte[256];
            while (await stream.ReadAsync(sink, deadline.Token).ConfigureAwait(false) > 0)
            {
                // The server's close_notify or anything it still sends: read until its FIN.
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The server did not close in time: the reset ends it.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Already closed or reset by the server.
        }
    }

    /// <summary>The SNI name: the override, else the name given, without the brackets of an IPv6 literal.</summary>
    internal static string ServerNameFor(string? serverName, string computerName)
    {
        string name = string.IsNullOrWhiteSpace(serverName) ? computerName.Trim() : serverName.Trim();
        return name.Length > 2 && name[0] == '[' && name[^1] == ']' ? name[1..^1] : name;
    }

    private static void RecordCertificate(PortStatus status, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, string serverName, TimeProvider time)
    {
        if (certificate is not null)
        {
            // A copy the result owns: the handshake's own object goes away with the SslStream.
            var copy = new X509Certificate2(certificate.GetRawCertData());
            status.Certificate = copy;
            status.Subject = copy.Subject;
            status.Issuer = copy.Issuer;
            var expires = new DateTimeOffset(copy.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            status.CertificateExpires = expires;
            status.CertificateDaysLeft = (int)Math.Floor((expires - time.GetUtcNow()).TotalDays);
        }

        status.CertificateValid = errors == SslPolicyErrors.None;
        if (errors == SslPolicyErrors.None)
        {
            return;
        }

        var reason = new StringBuilder();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reason.Append("The server sent no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            Append(reason, $"The certificate is not for '{serverName}' (RemoteCertificateNameMismatch)");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            string chainText = chain is null || chain.ChainStatus.Length == 0
                ? "RemoteCertificateChainErrors"
                : string.Join("; ", chain.ChainStatus.Select(s => string.IsNullOrWhiteSpace(s.StatusInformation) ? s.Status.ToString() : $"{s.Status}: {s.StatusInformation.Trim()}"));
            Append(reason, $"The chain does not validate ({chainText})");
        }

        status.CertificateError = reason.ToString();
    }

    private static void Append(StringBuilder text, string part)
    {
        if (text.Length > 0)
        {
            text.Append(". ");
        }

        text.Append(part);
    }

    private static async Task ExchangeAsync(Stream channel, PortStatus status, PostConnectOptions options, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(timeout, time, cancellationToken);
        byte[] buffer = new byte[options.BannerLimit];
        int total = 0;
        try
        {
            if (options.Send is { Length: > 0 } send)
            {
                await channel.WriteAsync(send, deadline.Token).ConfigureAwait(false);
                await channel.FlushAsync(deadline.Token).ConfigureAwait(false);
            }

            if (options.ReadBanner)
            {
                // Up to the limit, until the peer closes, or a read ends with a line end (line-based
                // services: SSH, SMTP, FTP, POP3 send their greeting as whole lines), or the wait ends.
                while (total < buffer.Length)
                {
                    int n = await channel.ReadAsync(buffer.AsMemory(total), deadline.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    total += n;
                    if (buffer[total - 1] == (byte)'\n')
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The wait ended: keep what arrived.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            // Reset or closed by the peer: keep what arrived.
        }

        if (options.ReadBanner)
        {
            status.BannerBytes = buffer.AsSpan(0, total).ToArray();
            status.Banner = DecodeBanner(status.BannerBytes);
        }
    }

    /// <summary>UTF-8 text of a banner or reply, without trailing line ends.</summary>
    internal static string DecodeBanner(byte[] bytes) => Payload.Utf8NoBom.GetString(bytes).TrimEnd('\r', '\n');
}
