using System.Net.Sockets;

namespace SocketShell.Client;

/// <summary>
/// The state of one client connection and its end: Open until the peer closes (Closed), something fails
/// (Faulted) or the user disconnects; the first end decides the final state, releases the stream and the
/// socket once, stamps <see cref="ClosedAt"/> and wakes whoever waits on the connection (its reader).
/// </summary>
internal sealed class ConnectionLifetime
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly TimeProvider _time;
    private Action? _released;
    private SocketShellException? _fault;
    private string? _error;
    private int _state;
    private int _isReleased;

    public ConnectionLifetime(Socket socket, Stream stream, TimeProvider time)
    {
        _socket = socket;
        _stream = stream;
        _time = time;
    }

    /// <summary>Open, Closed or Faulted, as of now.</summary>
    public SocketConnectionState State => (SocketConnectionState)Volatile.Read(ref _state);

    /// <summary>Whether the stream and socket are released (closed here, for whatever reason).</summary>
    public bool IsReleased => Volatile.Read(ref _isReleased) == 1;

    /// <summary>Open and not released: data can still be sent.</summary>
    public bool IsUsable => State == SocketConnectionState.Open && !IsReleased;

    /// <summary>Why the connection faulted; null otherwise.</summary>
    public string? Error => Volatile.Read(ref _error);

    /// <summary>The first failure, which a receive that finds nothing buffered rethrows; null otherwise.</summary>
    public SocketShellException? Fault => Volatile.Read(ref _fault);

    /// <summary>When the connection was released; null while it is open.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>What to wake once the connection is released (set once, before the reader starts).</summary>
    public void WhenReleased(Action released) => _released = released;

    /// <summary>The peer ended the stream: State becomes Closed (before the reader says so, so a receive seeing the end also sees Closed).</summary>
    public void MarkClosed()
        => Interlocked.CompareExchange(ref _state, (int)SocketConnectionState.Closed, (int)SocketConnectionState.Open);

    /// <summary>Faults the connection with <paramref name="failure"/> (if still open) and releases it.</summary>
    public void Fail(SocketShellException failure)
    {
        if (Interlocked.CompareExchange(ref _state, (int)SocketConnectionState.Faulted, (int)SocketConnectionState.Open) == (int)SocketConnectionState.Open)
        {
            Volatile.Write(ref _error, failure.Message);
        }

        Interlocked.CompareExchange(ref _fault, failure, null);
        Release(SocketConnectionState.Faulted, failure.Message);
    }

    /// <summary>Releases the socket once; the first caller decides the final state.</summary>
    public void Release(SocketConnectionState final, string? error)
    {
        if (Interlocked.Exchange(ref _isReleased, 1) == 1)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _state, (int)final, (int)SocketConnectionState.Open) == (int)SocketConnectionState.Open && error is not null)
        {
            Volatile.Write(ref _error, error);
        }

        ClosedAt = _time.GetLocalNow();
        try
        {
            _stream.Dispose();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Disposing a TLS stream may try to write; the socket is closed below in any case.
        }

        _socket.Dispose();
        _released?.Invoke();
    }
}
