using System.Diagnostics.CodeAnalysis;
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
/// </summary>
public sealed class SocketConnection : IDisposable
{
    /// <summary>The most unread data kept per connection before the reader stops taking more from the socket.</summary>
    public const int DefaultBufferLimit = 16 * 1024 * 1024;

    private const int ChunkSize = 64 * 1024;
    private static readonly TimeSpan s_shutdownTimeout = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private readonly ReceiveBuffer _buffer = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly SslStream? _ssl;
    private TaskCompletionSource _changed = NewSignal();
    private TaskCompletionSource? _spaceWaiter;
    private Task _reader = Task.CompletedTask;
    private int _wanted;
    private bool _endOfStream;
    private SocketShellException? _fault;
    private int _state;
    private int _released;
    private int _receiving;
    private long _bytesSent;
    private long _bytesReceived;
    private string? _error;
    private readonly IPEndPoint? _remote;
    private readonly IPEndPoint? _local;
    private readonly X509Certificate2? _certificate;

    private const int SendPiece = 64 * 1024;
    private readonly SocketSessions _sessions;

    internal SocketConnection(SocketSessions sessions, string computerName, Socket socket, Stream stream, SslStream? ssl, TimeSpan connectTime)
    {
        _sessions = sessions;
        Id = sessions.NextId();
        ComputerName = computerName;
        _socket = socket;
        _stream = stream;
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

        ConnectedAt = DateTimeOffset.Now;
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
    public SocketConnectionState State => (SocketConnectionState)Volatile.Read(ref _state);

    /// <summary>When the connection was established.</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>How long the TCP handshake (and the TLS handshake, with TLS) took to the address that answered.</summary>
    public TimeSpan ConnectTime { get; }

    /// <summary>When the connection closed or faulted; null while it is open.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Bytes sent so far (application data, before TLS).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes received so far (application data, after TLS), read or not.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Bytes received but not read yet by Receive-SocketData.</summary>
    public int BufferedBytes
    {
        get
        {
            lock (_gate)
            {
                return _buffer.Length;
            }
        }
    }

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
    public string? Error => Volatile.Read(ref _error);

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
    internal int BufferLimit { get; set; } = DefaultBufferLimit;

    /// <summary>Completes when the background reader has stopped.</summary>
    internal Task Reader => _reader;

    internal Socket Socket => _socket;

    /// <summary>Starts the background reader; called once, after registration.</summary>
    internal void Start() => _reader = Task.Run(ReadLoopAsync);

    /// <summary>Sends <paramref name="data"/>, all of it.</summary>
    /// <exception cref="SocketShellException">Kind <see cref="SocketErrorKind.ConnectionClosed"/> when the connection is closed, faulted or is reset while sending.</exception>
    public async Task SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfCannotSend();
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfCannotSend();
            if (data.IsEmpty)
            {
                return;
            }

            try
            {
                // Written in pieces, each counted once the stream has taken it, so that BytesSent stays
                // true when a big send is cancelled (Ctrl+C) or fails part-way: only the piece in flight
                // at that moment (at most SendPiece bytes) can have gone out uncounted.
                for (int offset = 0; offset < data.Length; offset += SendPiece)
                {
                    ReadOnlyMemory<byte> piece = data.Slice(offset, Math.Min(SendPiece, data.Length - offset));
                    await _stream.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref _bytesSent, piece.Length);
                }

                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // A TLS record cut short cannot be resumed: the connection is unusable, so close it
                // rather than leave it half-written. A plain TCP send can be resumed by the caller.
                if (IsTls)
                {
                    Fail(new SocketShellException(SocketErrorKind.ConnectionClosed, "A send was stopped part-way through a TLS record; the connection was closed.", Target));
                }

                throw;
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                SocketErrorKind kind = SocketFailure.Classify(e);
                string why = kind == SocketErrorKind.ConnectionReset ? "was reset by the peer" : "is closed";
                var failure = new SocketShellException(SocketErrorKind.ConnectionClosed, $"Cannot send: the connection {why}.", Target, e);
                if (kind == SocketErrorKind.ConnectionReset)
                {
                    Fail(failure);
                }

                throw failure;
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

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
            if (State == SocketConnectionState.Open && Volatile.Read(ref _released) == 0)
            {
                bool locked = await _sendLock.WaitAsync(s_shutdownTimeout, cancellationToken).ConfigureAwait(false);
                try
                {
                    if (_ssl is not null)
                    {
                        await _ssl.ShutdownAsync().WaitAsync(s_shutdownTimeout, cancellationToken).ConfigureAwait(false);
                    }

                    _socket.Shutdown(SocketShutdown.Send);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TimeoutException or InvalidOperationException)
                {
                    // The peer may already be gone; closing below is all that is left to do.
                }
                finally
                {
                    if (locked)
                    {
                        _sendLock.Release();
                    }
                }

                try
                {
                    await _reader.WaitAsync(drain, cancellationToken).ConfigureAwait(false);
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
        Release(SocketConnectionState.Closed, null);
        _sessions.Remove(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Target} ({State})";

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task<SocketMessage?> ReceiveAsync(
        Framing.Framer framer, int wanted, TimeSpan timeout, bool timeoutIsError, Encoding? encoding, string what, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _receiving, 1) == 1)
        {
            throw new SocketShellException(SocketErrorKind.ReceiveInProgress, $"Another receive on {Target} is in progress.", Target);
        }

        try
        {
            long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (true)
            {
                Task changed;
                TaskCompletionSource? space = null;
                lock (_gate)
                {
                    bool ended = _endOfStream || _fault is not null || _released == 1;
                    if (framer(_buffer.Span, ended, out int length, out int skip))
                    {
                        byte[] frame = _buffer.Take(length, skip, out DateTimeOffset arrived);
                        (space, _spaceWaiter) = (_spaceWaiter, null);
                        _wanted = 0;
                        space?.TrySetResult();
                        return Message(frame, arrived, encoding);
                    }

                    if (ended)
                    {
                        if (_fault is not null && _fault.Kind != SocketErrorKind.ConnectionClosed)
                        {
                            throw new SocketShellException(_fault.Kind, _fault.Message, Target, _fault.InnerException);
                        }

                        return null;
                    }

                    if (_buffer.Length >= Math.Max(BufferLimit, wanted))
                    {
                        throw new SocketShellException(SocketErrorKind.FrameTooLong, $"{Capital(what)} did not arrive within the first {_buffer.Length} bytes received; they stay buffered.", Target);
                    }

                    _wanted = wanted;
                    if (wanted > 0)
                    {
                        (space, _spaceWaiter) = (_spaceWaiter, null);
                    }

                    changed = _changed.Task;
                }

                space?.TrySetResult();
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return TimedOut();
                }

                try
                {
                    await changed.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(left, int.MaxValue)), cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    return TimedOut();
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _wanted = 0;
            }

            Volatile.Write(ref _receiving, 0);
        }

        SocketMessage? TimedOut()
        {
            if (!timeoutIsError)
            {
                return null;
            }

            int buffered = BufferedBytes;
            throw new SocketShellException(
                SocketErrorKind.OperationTimeout,
                $"{Capital(what)} did not arrive within {Common.DurationText.Format(timeout)}; {buffered} byte(s) received so far stay buffered for the next read.",
                Target);
        }
    }

    private SocketMessage Message(byte[] data, DateTimeOffset arrived, Encoding? encoding) => new(data, encoding)
    {
        Timestamp = arrived,
        Protocol = Protocol,
        SocketId = Id,
        Local = _local,
        Remote = _remote,
        RemotePath = Path,
    };

    private void ThrowIfCannotSend()
    {
        SocketConnectionState state = State;
        if (state == SocketConnectionState.Open && Volatile.Read(ref _released) == 0)
        {
            return;
        }

        string why = state == SocketConnectionState.Faulted ? $"faulted ({Error})" : "closed";
        throw new SocketShellException(SocketErrorKind.ConnectionClosed, $"Cannot send: the connection is {why}.", Target);
    }

    [SuppressMessage("Reliability", "CA2016", Justification = "The reader stops when the socket is released, not by a token.")]
    private async Task ReadLoopAsync()
    {
        byte[] chunk = new byte[ChunkSize];
        try
        {
            while (true)
            {
                Task? space = null;
                lock (_gate)
                {
                    if (_released == 1)
                    {
                        return;
                    }

                    if (_buffer.Length >= Math.Max(BufferLimit, _wanted))
                    {
                        _spaceWaiter ??= NewSignal();
                        space = _spaceWaiter.Task;
                    }
                }

                if (space is not null)
                {
                    await space.ConfigureAwait(false);
                    continue;
                }

                int n = await _stream.ReadAsync(chunk.AsMemory()).ConfigureAwait(false);
                if (n == 0)
                {
                    // State first: a receive that sees the end of the stream must also see State Closed.
                    Interlocked.CompareExchange(ref _state, (int)SocketConnectionState.Closed, (int)SocketConnectionState.Open);
                    lock (_gate)
                    {
                        _endOfStream = true;
                    }

                    Release(SocketConnectionState.Closed, null);
                    return;
                }

                Interlocked.Add(ref _bytesReceived, n);
                TaskCompletionSource changed;
                lock (_gate)
                {
                    _buffer.Append(chunk.AsSpan(0, n), DateTimeOffset.Now);
                    (changed, _changed) = (_changed, NewSignal());
                }

                changed.TrySetResult();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or AuthenticationException or InvalidOperationException)
        {
            if (Volatile.Read(ref _released) == 1)
            {
                return;
            }

            SocketErrorKind kind = SocketFailure.Classify(e);
            string message = kind == SocketErrorKind.ConnectionReset
                ? "The connection was reset by the peer."
                : $"The connection failed: {e.Message}";
            Fail(new SocketShellException(kind == SocketErrorKind.Unknown ? SocketErrorKind.ConnectionReset : kind, message, Target, e));
        }
    }

    private void Fail(SocketShellException failure)
    {
        if (Interlocked.CompareExchange(ref _state, (int)SocketConnectionState.Faulted, (int)SocketConnectionState.Open) == (int)SocketConnectionState.Open)
        {
            Volatile.Write(ref _error, failure.Message);
        }

        lock (_gate)
        {
            _fault ??= failure;
        }

        Release(SocketConnectionState.Faulted, failure.Message);
    }

    /// <summary>Releases the socket once; the first caller decides the final state.</summary>
    private void Release(SocketConnectionState final, string? error)
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _state, (int)final, (int)SocketConnectionState.Open) == (int)SocketConnectionState.Open && error is not null)
        {
            Volatile.Write(ref _error, error);
        }
        ClosedAt = DateTimeOffset.Now;
        try
        {
            _stream.Dispose();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Disposing a TLS stream may try to write; the socket is closed below in any case.
        }

        _socket.Dispose();
        TaskCompletionSource changed;
        TaskCompletionSource? space;
        lock (_gate)
        {
            (changed, _changed) = (_changed, NewSignal());
            (space, _spaceWaiter) = (_spaceWaiter, null);
        }

        changed.TrySetResult();
        space?.TrySetResult();
    }
}
