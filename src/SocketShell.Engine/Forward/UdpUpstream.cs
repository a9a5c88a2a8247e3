using System.Net;
using System.Net.Sockets;

namespace SocketShell.Forward;

/// <summary>
/// One UDP peer's connected socket to the upstream, with the loop that sends its replies back to the peer.
/// The socket is non-blocking; the loop waits with a zero-length peek, so an idle peer holds no buffer.
/// </summary>
internal sealed class UdpUpstream : IDisposable
{
    private readonly UdpForwarder _owner;
    private long _lastActivity;
    private int _closed;

    public UdpUpstream(UdpForwarder owner, Socket socket, SocketAddress peer, int peerId, IPEndPoint peerEndPoint)
    {
        _owner = owner;
        _lastActivity = owner.Time.GetTimestamp();
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

    public void Touch() => Volatile.Write(ref _lastActivity, _owner.Time.GetTimestamp());

    public void Start()
    {
        Interlocked.Increment(ref _owner.Listener._activePairs);
        Socket.Blocking = false;
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
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                int n;
                try
                {
                    // Wait for a reply without holding a buffer: a zero-length peek leaves the datagram queued.
                    await WaitForDatagramAsync().ConfigureAwait(false);
                    buffer = RelayBufferPool.Rent();
                    n = Socket.Receive(buffer, SocketFlags.None, out SocketError error);
                    if (error == SocketError.WouldBlock)
                    {
                        RelayBufferPool.Return(buffer);
                        buffer = null;
                        continue;
                    }

                    if (error != SocketError.Success)
                    {
                        throw new SocketException((int)error);
                    }
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
                {
                    _owner.Refused(this);
                    ReturnBuffer(ref buffer);
                    continue;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize)
                {
                    ReturnBuffer(ref buffer);
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

                ReturnBuffer(ref buffer);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed (idle, stop) or failed: this peer's relay ends.
        }
        finally
        {
            ReturnBuffer(ref buffer);
            Dispose();
            _owner.Closed(this);
            Interlocked.Decrement(ref listener._activePairs);
        }
    }

    private async ValueTask WaitForDatagramAsync()
    {
        try
        {
            await Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.Peek, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize)
        {
            // Windows: a datagram is there, larger than the empty peek buffer.
        }
    }

    private static void ReturnBuffer(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            RelayBufferPool.Return(buffer);
            buffer = null;
        }
    }
}
