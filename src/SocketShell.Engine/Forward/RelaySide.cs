using System.Net.Security;
using System.Net.Sockets;

namespace SocketShell.Forward;

/// <summary>
/// One connected end of a relay: a socket, with a TLS stream over it when that side speaks TLS.
/// Plain sockets are non-blocking: a send is tried at once and only what does not fit waits.
/// </summary>
internal sealed class RelaySide : IDisposable
{
    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private int _closed;

    public RelaySide(Socket socket, SslStream? tls)
    {
        _socket = socket;
        _tls = tls;
        if (tls is null)
        {
            try
            {
                socket.Blocking = false;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Closed already: the first receive says so.
            }
        }
    }

    public Socket Socket => _socket;

    public bool IsTls => _tls is not null;

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer) =>
        _tls is null ? _socket.ReceiveAsync(buffer, SocketFlags.None, CancellationToken.None) : _tls.ReadAsync(buffer, CancellationToken.None);

    public ValueTask SendAsync(ReadOnlyMemory<byte> data)
    {
        if (_tls is not null)
        {
            return _tls.WriteAsync(data, CancellationToken.None);
        }

        int sent = _socket.Send(data.Span, SocketFlags.None, out SocketError error);
        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            throw new SocketException((int)error);
        }

        sent = Math.Max(sent, 0);
        return sent == data.Length ? default : SendRestAsync(data[sent..]);
    }

    /// <summary>Passes an end of stream on: TLS close_notify when TLS, then a FIN (shutdown of sending).</summary>
    public async ValueTask ShutdownSendAsync()
    {
        if (_tls is not null)
        {
            await _tls.ShutdownAsync().ConfigureAwait(false);
        }

        _socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Closes with a reset (RST): linger on with a zero timeout, then close.</summary>
    public void Reset()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        _tls?.Dispose();
    }

    /// <summary>Closes gracefully: a FIN for whatever was not shut down yet, then close.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _tls?.Dispose();
        _socket.Dispose();
    }

    private async ValueTask SendRestAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            int sent = await _socket.SendAsync(data, SocketFlags.None, CancellationToken.None).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
