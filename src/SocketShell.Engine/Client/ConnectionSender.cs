using System.Net.Security;
using System.Net.Sockets;
using SocketShell.Common;

namespace SocketShell.Client;

/// <summary>
/// The sending side of a client connection: one send at a time (a lock), written in counted pieces, and the
/// graceful end of sending (TLS close_notify, then a FIN) that Disconnect-Socket does before it drains.
/// </summary>
internal sealed class ConnectionSender
{
    private const int SendPiece = 64 * 1024;
    private static readonly TimeSpan s_shutdownTimeout = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Stream _stream;
    private readonly ConnectionLifetime _life;
    private readonly string _target;
    private readonly bool _isTls;
    private long _bytesSent;

    public ConnectionSender(Stream stream, ConnectionLifetime life, string target, bool isTls)
    {
        _stream = stream;
        _life = life;
        _target = target;
        _isTls = isTls;
    }

    /// <summary>Bytes sent so far (before TLS).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Sends <paramref name="data"/>, all of it.</summary>
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
                if (_isTls)
                {
                    _life.Fail(new SocketShellException(SocketErrorKind.ConnectionClosed, "A send was stopped part-way through a TLS record; the connection was closed.", _target));
                }

                throw;
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                SocketErrorKind kind = SocketFailure.Classify(e);
                string why = kind == SocketErrorKind.ConnectionReset ? "was reset by the peer" : "is closed";
                var failure = new SocketShellException(SocketErrorKind.ConnectionClosed, $"Cannot send: the connection {why}.", _target, e);
                if (kind == SocketErrorKind.ConnectionReset)
                {
                    _life.Fail(failure);
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
    /// Ends sending gracefully: waits (briefly) for a send in progress, sends TLS close_notify when
    /// <paramref name="ssl"/> is set, then a FIN. A peer already gone is not an error here.
    /// </summary>
    public async Task ShutdownAsync(SslStream? ssl, Socket socket, TimeProvider time, CancellationToken cancellationToken)
    {
        bool locked = await _sendLock.WaitAsync(s_shutdownTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            if (ssl is not null)
            {
                await ssl.ShutdownAsync().WaitAsync(s_shutdownTimeout, time, cancellationToken).ConfigureAwait(false);
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TimeoutException or InvalidOperationException)
        {
            // The peer may already be gone; closing afterwards is all that is left to do.
        }
        finally
        {
            if (locked)
            {
                _sendLock.Release();
            }
        }
    }

    private void ThrowIfCannotSend()
    {
        if (_life.IsUsable)
        {
            return;
        }

        SocketConnectionState state = _life.State;
        string why = state == SocketConnectionState.Faulted ? $"faulted ({_life.Error})" : "closed";
        throw new SocketShellException(SocketErrorKind.ConnectionClosed, $"Cannot send: the connection is {why}.", _target);
    }
}
