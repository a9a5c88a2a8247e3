using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketShell.Udp;

using SocketShell.Common;

namespace SocketShell.Unix;

/// <summary>
/// Receives datagrams on a Unix datagram socket (SOCK_DGRAM) bound to a path it creates, e.g. a
/// /dev/log-style socket. The socket file is removed on Dispose (only while it is still this one).
/// </summary>
public sealed class UnixDatagramReceiver : IDisposable
{
    /// <summary>The largest datagram read whole (Unix datagrams may be larger; longer ones are cut to this size).</summary>
    public const int BufferSize = 256 * 1024;

    private readonly UnixSocketFile _file;
    private readonly Encoding _encoding;
    private TimeProvider _time = TimeProvider.System;
    private int _received;
    private int _disposed;

    private UnixDatagramReceiver(UnixSocketFile file, Encoding encoding)
    {
        _file = file;
        _encoding = encoding;
    }

    /// <summary>The socket path (or '@abstract' name).</summary>
    public string Path => _file.Path;

    /// <summary>How many datagrams have been handed out so far.</summary>
    public int Received => Volatile.Read(ref _received);

    /// <summary>Whether the socket has been closed.</summary>
    public bool IsClosed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Creates the socket at <paramref name="path"/> (see <see cref="UnixSocketFile.Bind"/> for what is refused).</summary>
    /// <exception cref="SocketShellException">PathInUse, PathNotFound, AccessDenied, InvalidSocketPath.</exception>
    /// <param name="timeProvider">Where time comes from: the idle timeout and each message's Timestamp (default <see cref="TimeProvider.System"/>).</param>
    public static UnixDatagramReceiver Open(string path, bool force, UnixFileMode? mode, Encoding? encoding, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new UnixDatagramReceiver(UnixSocketFile.Bind(path, SocketType.Dgram, force, mode), encoding ?? Payload.Utf8NoBom)
        {
            _time = timeProvider ?? TimeProvider.System,
        };
    }

    /// <summary>
    /// Receives until <paramref name="count"/> datagrams arrived (null: no limit), nothing arrived for
    /// <paramref name="idleTimeout"/> (null: wait for ever), or <paramref name="cancellationToken"/> is
    /// cancelled (then <see cref="OperationCanceledException"/>).
    /// </summary>
    public async Task<DatagramReceiveEnd> RunAsync(Func<SocketMessage, ValueTask> onMessage, int? count, TimeSpan? idleTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        ObjectDisposedException.ThrowIf(IsClosed, this);
        byte[] buffer = new byte[BufferSize];
        EndPoint any = _file.Socket.LocalEndPoint!;
        return await DatagramLoop.RunAsync(
            async token =>
            {
                SocketReceiveFromResult r = await _file.Socket.ReceiveFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false);
                string? from = r.RemoteEndPoint is UnixDomainSocketEndPoint u ? SenderName(u) : null;
                Interlocked.Increment(ref _received);
                return new SocketMessage(buffer.AsSpan(0, r.ReceivedBytes).ToArray(), _encoding, LocalClock.Now(_time))
                {
                    Protocol = TransportProtocol.Unix,
                    LocalPath = Path,
                    RemotePath = from,
                };
            },
            onMessage,
            count,
            idleTimeout,
            () => IsClosed,
            _time,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the socket and removes its file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _file.Socket.Dispose();
            _file.Remove();
        }
    }

    private static string? SenderName(UnixDomainSocketEndPoint endPoint)
    {
        string text = endPoint.ToString();
        if (string.IsNullOrEmpty(text))
        {
            return null; // an unnamed sender (the usual case)
        }

        return text[0] == '\0' ? "@" + text[1..].Replace('\0', '@') : text;
    }
}
