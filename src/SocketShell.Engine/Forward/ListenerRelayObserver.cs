using System.Net;

namespace SocketShell.Forward;

/// <summary>
/// Connects a relay to its listener: counts bytes each way, keeps both directions in the listener's
/// capture (bounded by its limit; once full, each read costs one comparison and one counter), and marks
/// the connection active for the idle timer.
/// </summary>
internal sealed class ListenerRelayObserver : IRelayObserver
{
    private readonly SocketListener _listener;
    private readonly int _connectionId;
    private readonly IPEndPoint? _client;
    private readonly Action? _touch;

    public ListenerRelayObserver(SocketListener listener, int connectionId, IPEndPoint? client, Action? touch)
    {
        _listener = listener;
        _connectionId = connectionId;
        _client = client;
        _touch = touch;
    }

    public void Received(MessageDirection direction, ReadOnlySpan<byte> data)
    {
        _touch?.Invoke();
        if (direction == MessageDirection.ClientToServer)
        {
            Interlocked.Add(ref _listener._bytesReceived, data.Length);
        }
        else
        {
            Interlocked.Add(ref _listener._upstreamBytesReceived, data.Length);
        }

        _listener.Keep(data, _connectionId, _client, wholeOnly: false, direction);
    }

    public void Forwarded(MessageDirection direction, int count)
    {
        if (direction == MessageDirection.ClientToServer)
        {
            Interlocked.Add(ref _listener._upstreamBytesSent, count);
        }
        else
        {
            Interlocked.Add(ref _listener._bytesSent, count);
        }
    }
}
