using System.Net.Sockets;

namespace SocketShell.Unix;

/// <summary>
/// Sends datagrams to a Unix datagram socket (SOCK_DGRAM) such as /dev/log, from an unnamed socket
/// connected to it, so a receiver that is gone or a path that is not a datagram socket is reported
/// when the sender opens, not silently lost.
/// </summary>
public sealed class UnixDatagramSender : IDisposable
{
    private readonly Socket _socket;

    private UnixDatagramSender(Socket socket, string path)
    {
        _socket = socket;
        Path = path;
    }

    /// <summary>The socket path (or '@abstract' name) sent to.</summary>
    public string Path { get; }

    /// <summary>Connects an unnamed datagram socket to <paramref name="path"/>.</summary>
    /// <exception cref="SocketShellException">PathNotFound, NotASocket, AccessDenied, ConnectionRefused (nothing bound there, or a stream socket), InvalidSocketPath.</exception>
    public static UnixDatagramSender Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        UnixDomainSocketEndPoint endPoint = UnixSocketPath.EndPoint(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(endPoint);
            return new UnixDatagramSender(socket, path);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw UnixSocketPath.ConnectFailure(path, e, "send to");
        }
    }

    /// <summary>Sends one datagram (waits while the receiver's queue is full, until cancelled).</summary>
    /// <exception cref="SocketShellException">DatagramTooLarge, ConnectionRefused (the receiver went away).</exception>
    public async Task<DatagramResult> SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        DateTimeOffset now = DateTimeOffset.Now;
        try
        {
            int sent = await _socket.SendAsync(payload, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            return new DatagramResult { ComputerName = Path, Path = Path, BytesSent = sent, Status = DatagramStatus.Sent, Timestamp = now };
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
        {
            throw new SocketShellException(SocketErrorKind.DatagramTooLarge, $"The datagram of {payload.Length} bytes is larger than the socket at '{Path}' accepts (the system's limit, see net.core.wmem_default).", Path, e);
        }
        catch (SocketException e)
        {
            throw UnixSocketPath.ConnectFailure(Path, e, "send to");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();
}
