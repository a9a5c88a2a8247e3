using System.Net.Security;
using System.Net.Sockets;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SocketShell.Client;
using SocketShell.Common;

namespace SocketShell;

/// <summary>
/// A live TCP (or TLS over TCP) client connection made by Connect-Socket. Its counters and
/// <see cref="State"/> are current whenever they are read. A background reader takes what the peer
/// sends into a bounded buffer as it arrives, so the connection notices a close or a reset at once,
/// and Receive calls frame the buffered bytes (what is there, a line, up to a delimiter, a count).
/// This type holds the facts and the API; the reader (Client/ConnectionReader), the sending side
/// (Client/ConnectionSender) and the state and release (Client/ConnectionLifetime) do the work.
/// </summary>
public sealed class SocketConnection : IDisposable
{
    /// <summary>The most unread data kept per connection before the reader stops taking more from the socket.</summary>
    public const int DefaultBufferLimit = 16 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly SslStream? _ssl;
    private readonly IPEndPoint? _remote;
    private readonly IPEndPoint? _local;
    private readonly X509Certificate2? _certificate;
    private readonly SocketSessions _sessions;
    private readonly TimeProvider _time;
    private readonly ConnectionLifetime _life;
    private readonly ConnectionReader _reader;
    private readonly ConnectionSender _sender;

    internal SocketConnection(SocketSessions sessions, string computerName, Socket socket, Stream stream, SslStream? ssl, TimeSpan connectTime, TimeProvider time)
    {
        _sessions = sessions;
        _time = time;
        Id = sessions.NextId();
        ComputerName = computerName;
        _socket = socket;
        _ssl = ssl;
        if (socket.AddressFamily == AddressFamily.Unix)
        {
            Protocol = TransportProtocol.Unix;
            Path = computerName;
            Target = computerName;
        }
        else
        {
            _remote = (IPEndPoint)socket.RemoteEndPoint!;
            _local = (IPEndPoint)socket.LocalEndPoint!;
            RemoteEndPoint = EndPointText.Format(_remote);
            LocalEndPoint = EndPointText.Format(_local);
            Target = EndPointText.Format(computerName, _remote.Port);
        }

        ConnectedAt = time.GetLocalNow();
        ConnectTime = connectTime;
        if (ssl is not null)
        {
            IsTls = true;
            ServerName = ssl.TargetHostName;
            TlsProtocol = ssl.SslProtocol;
            CipherSuite = ssl.NegotiatedCipherSuite;
            _certificate = ssl.RemoteCertificate as X509Certificate2;
            if (_certificate is not null)
            {
                CertificateSubject = _certificate.Subject;
                CertificateIssuer = _certificate.Issuer;
                CertificateThumbprint = _certificate.Thumbprint;
                CertificateExpires = new DateTimeOffset(_certificate.NotAfter);
            }
        }

        _life = new ConnectionLifetime(socket, stream, time);
        _reader = new ConnectionReader(stream, _life, Target, time);
        _sender = new ConnectionSender(stream, _life, Target, IsTls);
    }

    /// <summary>This session's number for the connection (Get-Socket -Id).</summary>
    public int Id { get; }

    /// <summary>The name or address the connection was made to, as given (the socket path for a Unix socket).</summary>
    public string ComputerName { get; }

    /// <summary>Tcp, or Unix for a connection to a Unix domain socket.</summary>
    public TransportProtocol Protocol { get; } = TransportProtocol.Tcp;

    /// <summary>The Unix socket path (or '@abstract' name) connected to; null for TCP.</summary>
    public string? Path { get; }

    /// <summary>The peer's address and port as text (<c>127.0.0.1:80</c>, <c>[::1]:80</c>); null for a Unix socket (see <see cref="Path"/>). <see cref="GetRemoteEndPoint"/> gives the IPEndPoint.</summary>
    public string? RemoteEndPoint { get; }

    /// <summary>The local address and port as text; null for a Unix socket. <see cref="GetLocalEndPoint"/> gives the IPEndPoint.</summary>
    public string? LocalEndPoint { get; }

    /// <summary>Open, Closed or Faulted, as of now.</summary>
    public SocketConnectionState State => _life.State;

    /// <summary>When the connection was established.</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>How long the TCP handshake (and the TLS handshake, with TLS) took to the address that answered.</summary>
    public TimeSpan ConnectTime { get; }

    /// <summary>When the connection closed or faulted; null while it is open.</summary>
    public DateTimeOffset? ClosedAt => _life.ClosedAt;

    /// <summary>Bytes sent so far (application data, before TLS).</summary>
    public long BytesSent => _sender.BytesSent;

    /// <summary>Bytes received so far (application data, after TLS), read or not.</summary>
    public long BytesReceived => _reader.BytesReceived;

    /// <summary>Bytes received but not read yet by Receive-SocketData.</summary>
    public int BufferedBytes => _reader.BufferedBytes;

    /// <summary>Whether the connection uses TLS.</summary>
    public bool IsTls { get; }

    /// <summary>The name used for SNI and the certificate name check (TLS only).</summary>
    public string? ServerName { get; }

    /// <summary>The negotiated TLS version (TLS only).</summary>
    public SslProtocols? TlsProtocol { get; }

    /// <summary>The negotiated cipher suite (TLS only).</summary>
    public TlsCipherSuite? CipherSuite { get; }

    /// <summary>The subject of the server's certificate (TLS only). <see cref="GetRemoteCertificate"/> gives the certificate.</summary>
    public string? CertificateSubject { get; }

    /// <summary>The issuer of the server's certificate (TLS only).</summary>
    public string? CertificateIssuer { get; }

    /// <summary>The SHA-1 thumbprint (hex) of the server's certificate (TLS only).</summary>
    public string? CertificateThumbprint { get; }

    /// <summary>When the server's certificate expires (TLS only).</summary>
    public DateTimeOffset? CertificateExpires { get; }

    /// <summary>Why the connection faulted; null otherwise.</summary>
    public string? Error => _life.Error;

    /// <summary><c>host:port</c> as the user gave it, for messages and error targets.</summary>
    public string Target { get; }

    /// <summary>The peer's address and port as an IPEndPoint; null for a Unix socket.</summary>
    public IPEndPoint? GetRemoteEndPoint() => _remote;

    /// <summary>The peer's address; null for a Unix socket.</summary>
    public IPAddress? GetRemoteAddress() => _remote?.Address;

    /// <summary>The local address and port as an IPEndPoint; null for a Unix socket.</summary>
    public IPEndPoint? GetLocalEndPoint() => _local;

    /// <summary>The server's certificate (TLS only; null otherwise).</summary>
    public X509Certificate2? GetRemoteCertificate() => _certificate;

    /// <summary>The most unread bytes kept before the reader pauses (tests lower it).</summary>
    internal int BufferLimit
    {
        get => _reader.BufferLimit;
        set => _reader.BufferLimit = value;
    }

    /// <summary>Completes when the background reader has stopped.</summary>
    internal Task Reader => _reader.Completion;

    internal Socket Socket => _socket;

    /// <summary>Starts the background reader; called once, after registration.</summary>
    internal void Start() => _reader.Start();

    /// <summary>Sends <paramref name="data"/>, all of it.</summary>
    /// <exception cref="SocketShellException">Kind <see cref="SocketErrorKind.ConnectionClosed"/> when the connection is closed, faulted or is reset while sending.</exception>
    public Task SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        => _sender.SendAsync(data, cancellationToken);

    /// <summary>
    /// Returns everything received so far, waiting up to <paramref name="timeout"/> for the first byte.
    /// Null when nothing arrived in time, or the stream ended with nothing left (then <see cref="State"/> is not Open).
    /// </summary>
    /// <exception cref="SocketShellException">The connection faulted (e.g. reset) and nothing received is left.</exception>
    public Task<SocketMessage?> ReceiveAvailableAsync(TimeSpan timeout, Encoding? encoding, CancellationToken cancellationToken)
        => ReceiveAsync(
            Framing.Available,
            wanted: 0, timeout, timeoutIsError: false, encoding, "data", cancellationToken);

    /// <summary>
    /// Returns one line, ended by LF or CR LF (in <paramref name="encoding"/>), without its end. At the end of
    /// the stream an unfinished last line is returned as it is; null when nothing is left.
    /// </summary>
    /// <exception cref="SocketShellException">Kind <see cref="SocketErrorKind.OperationTimeout"/> when no whole line arrived in time (what did arrive stays buffered).</exception>
    /// <exception cref="SocketShellException">FrameTooLong: no line end within <see cref="DefaultBufferLimit"/> bytes; ReceiveInProgress.</exception>
    public Task<SocketMessage?> ReceiveLineAsync(TimeSpan timeout, Encoding? encoding, CancellationToken cancellationToken)
    {
        Encoding enc = encoding ?? Payload.Utf8NoBom;
        byte[] lf = enc.GetBytes("\n");
        byte[] cr = enc.GetBytes("\r");
        return ReceiveAsync(
            (ReadOnlySpan<byte> data, bool ended, out int length, out int skip) => Framing.Line(data, ended, lf, cr, out length, out skip),
            wanted: 0, timeout, timeoutIsError: true, enc, "a line", cancellationToken);
    }

    /// <summary>
    /// Returns the data up to <paramref name="delimiter"/> (encoded with <paramref name="encoding"/>),
    /// without the delimiter, which is consumed. At the end of the stream the rest is returned as it is.
    /// </summary>
    /// <exception cref="SocketShellException">Kind <see cref="SocketErrorKind.OperationTimeout"/> when the delimiter did not arrive in time (what did arrive stays buffered).</exception>
    /// <exception cref="SocketShellException">FrameTooLong: no delimiter within <see cref="DefaultBufferLimit"/> bytes; ReceiveInProgress.</exception>
    public Task<SocketMessage?> ReceiveUntilAsync(string delimiter, TimeSpan timeout, Encoding? encoding, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(delimiter);
        Encoding enc = encoding ?? Payload.Utf8NoBom;
        byte[] pattern = enc.GetBytes(delimiter);
        return ReceiveAsync(
            (ReadOnlySpan<byte> data, bool ended, out int length, out int skip) => Framing.Until(data, ended, pattern, out length, out skip),
            wanted: 0, timeout, timeoutIsError: true, enc, $"the delimiter '{delimiter}'", cancellationToken);
    }

    /// <summary>Returns exactly <paramref name="count"/> bytes; fewer only when the stream ended first.</summary>
    /// <exception cref="SocketShellException">Kind <see cref="SocketErrorKind.OperationTimeout"/> when fewer arrived in time (what did arrive stays buffered).</exception>
    public Task<SocketMessage?> ReceiveBytesAsync(int count, TimeSpan timeout, Encoding? encoding, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return ReceiveAsync(
            (ReadOnlySpan<byte> data, bool ended, out int length, out int skip) => Framing.Count(data, ended, count, out length, out skip),
            wanted: count, timeout, timeoutIsError: true, encoding, $"{count} bytes", cancellationToken);
    }

    /// <summary>
    /// Closes gracefully: sends TLS close_notify (with TLS) and a FIN (shutdown of sending), reads what
    /// the peer still sends for up to <paramref name="drain"/> (so the close is not a reset), then
    /// releases the socket and removes the connection from the session's list.
    /// </summary>
    public async Task DisconnectAsync(TimeSpan drain, CancellationToken cancellationToken)
    {
        try
        {
            if (_life.IsUsable)
            {
                await _sender.ShutdownAsync(_ssl, _socket, _time, cancellationToken).ConfigureAwait(false);
                try
                {
                    await _reader.Completion.WaitAsync(drain, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The peer did not close within the drain time; close anyway.
                }
            }
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>Closes at once (no drain) and removes the connection from the session's list.</summary>
    public void Dispose()
    {
        _life.Release(SocketConnectionState.Closed, null);
        _sessions.Remove(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Target} ({State})";

    private async Task<SocketMessage?> ReceiveAsync(
        Framing.Framer framer, int wanted, TimeSpan timeout, bool timeoutIsError, Encoding? encoding, string what, CancellationToken cancellationToken)
    {
        ReceivedFrame? frame = await _reader.ReceiveAsync(framer, wanted, timeout, timeoutIsError, what, cancellationToken).ConfigureAwait(false);
        return frame is { } f ? Message(f.Data, f.Arrived, encoding) : null;
    }

    private SocketMessage Message(byte[] data, DateTimeOffset arrived, Encoding? encoding) => new(data, encoding, arrived)
    {
        Protocol = Protocol,
        SocketId = Id,
        Local = _local,
        Remote = _remote,
        RemotePath = Path,
    };
}
