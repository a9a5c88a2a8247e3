using System.Net;
using System.Net.Sockets;

namespace SocketShell.Forward;

/// <summary>One UDP peer's connected socket to the upstream, with the loop that sends its replies back to the peer.</summary>
internal sealed class UdpUpstream : IDisposable
{
    private readonly UdpForwarder _owner;
    private long _lastActivity = Environment.TickCount64;
    private int _closed;

    public UdpUpstream(UdpForwarder owner, Socket socket, SocketAddress peer, int peerId, IPEndPoint peerEndPoint)
    {
        _owner = owner;
        Socket = socket;
        Peer = peer;
        PeerId = peerId;
        PeerEndPoint = peerEndPoint;
    }

    public Socket Socket { get; }

    public SocketAddress Peer { get; }

    public int PeerId { get; }

    public IPEndPoint PeerEndPoint { get; }

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    public void Start()
    {
        Interlocked.Increment(ref _owner.Listener._activePairs);
        _ = ReceiveLoopAsync();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Socket.Dispose();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        SocketListener listener = _owner.Listener;
        byte[] buffer = RelayBufferPool.Rent();
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await Socket.ReceiveAsync(buffer, SocketFlags.None, CancellationToken.None).ConfigureAwait(false);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
                {
                    _owner.Refused(this);
                    continue;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize)
                {
                    continue;
                }

                Touch();
                Interlocked.Add(ref listener._upstreamBytesReceived, n);
                int take = listener.Reserve(n, wholeOnly: true);
                if (take >= 0)
                {
                    listener.Store(buffer.AsSpan(0, n), take, PeerId, PeerEndPoint, MessageDirection.ServerToClient);
                }

                try
                {
                    int sent = _owner.ListenSocket.SendTo(buffer.AsSpan(0, n), SocketFlags.None, Peer);
                    Interlocked.Add(ref listener._bytesSent, sent);
                }
                catch (SocketException)
                {
                    // The peer is gone or the send buffer is full: the reply is lost, like any datagram.
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed (idle, stop) or failed: this peer's relay ends.
        }
        finally
        {
            RelayBufferPool.Return(buffer);
            Dispose();
            _owner.Closed(this);
            Interlocked.Decrement(ref listener._activePairs);
        }
    }
}
