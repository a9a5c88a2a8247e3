using System.Net;
using System.Net.Sockets;

namespace SocketShell.Listeners;

/// <summary>
/// UDP: one receive loop on one socket using <see cref="SocketAddress"/> (no allocation per datagram in
/// Discard and Echo once the capture is full). Peers are numbered as first seen; ConnectionCount counts them.
/// </summary>
internal sealed class UdpListenerWorker : ListenerWorker
{
    /// <summary>Peers remembered at most (numbering stops beyond it; counting does not).</summary>
    internal const int MaxTrackedPeers = 65536;
    private const int MaxDatagram = 65536;
    private const int SioUdpConnReset = -1744830452;

    private readonly Dictionary<SocketAddress, int> _peers = new();
    private Socket? _socket;
    private long? _finalDrops;
    private Forward.UdpForwarder? _forwarder;

    public UdpListenerWorker(ListenerOptions options) : base(options) { }

    public override IPEndPoint Bind()
    {
        _socket = CreateBoundSocket(SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                // Windows reports an ICMP "port unreachable" for a datagram we sent as a reset of the
                // next receive; a listener must not stop because one peer went away.
                _socket.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
            }

            _socket.ReceiveBufferSize = 4 * 1024 * 1024;
            _socket.SendBufferSize = 1024 * 1024;
        }
        catch (SocketException)
        {
            // Buffer sizes are a hint; the OS may cap them.
        }

        IPEndPoint local = Normalize((IPEndPoint)_socket.LocalEndPoint!);
        try
        {
            Forward.ForwardLoopGuard.ThrowIfSelf(Options, local);
        }
        catch (SocketShellException)
        {
            _socket.Dispose();
            throw;
        }

        return local;
    }

    public override void CloseAll()
    {
        if (_socket is { } socket && _finalDrops is null)
        {
            _finalDrops = ReadSystemDrops(socket);
        }

        _socket?.Dispose();
        _forwarder?.Dispose();
    }

    /// <summary>Datagrams the operating system dropped because this socket's receive queue was full (Linux), or null.</summary>
    public override long? SystemDrops => _finalDrops ?? (_socket is { } s ? ReadSystemDrops(s) : null);

    private static long? ReadSystemDrops(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            string? link = new FileInfo($"/proc/self/fd/{socket.Handle}").LinkTarget;
            if (link is null || !link.StartsWith("socket:[", StringComparison.Ordinal))
            {
                return null;
            }

            string inode = link["socket:[".Length..^1];
            foreach (string table in new[] { "/proc/net/udp", "/proc/net/udp6" })
            {
                if (!File.Exists(table))
                {
                    continue;
                }

                foreach (string line in File.ReadLines(table).Skip(1))
                {
                    string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length >= 13 && f[9] == inode)
                    {
                        return long.Parse(f[^1], System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ObjectDisposedException)
        {
            // Not readable here: unknown.
        }

        return null;
    }

    protected override Task LoopAsync()
    {
        if (Options.Mode == ListenerMode.Forward)
        {
            _forwarder = new Forward.UdpForwarder(_socket!, Listener, Options);
        }

        // One dedicated thread with blocking calls: a datagram is handled where it is received, with no
        // hop from the socket engine's thread to the thread pool. Stop closes the socket, which ends the
        // blocking receive; the receive timeout is a backstop so the loop always sees the stop request.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ReceiveLoop();
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = $"SocketShell {Listener.Name}",
        };
        thread.Start();
        return done.Task;
    }

    private void ReceiveLoop()
    {
        Socket socket = _socket!;
        CancellationToken stop = Stopping.Token;
        ListenerMode mode = Options.Mode;
        bool keep = mode != ListenerMode.Discard;
        bool answer = mode is ListenerMode.Echo or ListenerMode.Reply;
        byte[] buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram);
        var from = new SocketAddress(socket.AddressFamily);
        byte[] response = Options.Response ?? [];
        int nextPeer = 0;
        Forward.UdpForwarder? forwarder = _forwarder;
        Func<SocketAddress, IPEndPoint> toEndPoint = ToEndPoint;
        socket.ReceiveTimeout = forwarder?.SweepPeriodMs ?? 500;
        while (!stop.IsCancellationRequested)
        {
            forwarder?.Sweep();
            int n;
            try
            {
                n = socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue; // nothing for a while: look at the stop request again
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize or SocketError.ConnectionRefused)
            {
                continue; // an ICMP error for an earlier send, or an oversize datagram: not fatal
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref Listener._datagrams);
            Interlocked.Add(ref Listener._bytesReceived, n);
            if (!_peers.TryGetValue(from, out int peer))
            {
                peer = ++nextPeer;
                Interlocked.Increment(ref Listener._connectionCount);
                if (_peers.Count < MaxTrackedPeers)
                {
                    var copy = new SocketAddress(from.Family, from.Size);
                    from.Buffer.Span[..from.Size].CopyTo(copy.Buffer.Span);
                    _peers[copy] = peer;
                }
            }

            if (keep)
            {
                int take = Listener.Reserve(n, wholeOnly: true);
                if (take >= 0)
                {
                    Listener.Store(buffer.AsSpan(0, n), take, peer, ToEndPoint(from));
                }
            }

            forwarder?.Forward(from, peer, buffer.AsSpan(0, n), toEndPoint);
            if (answer)
            {
                ReadOnlySpan<byte> reply = mode == ListenerMode.Echo ? buffer.AsSpan(0, n) : response;
                try
                {
                    int sent = socket.SendTo(reply, SocketFlags.None, from);
                    Interlocked.Add(ref Listener._bytesSent, sent);
                }
                catch (SocketException)
                {
                    // The peer is gone or the send buffer is full: the reply is lost, like any datagram.
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    private IPEndPoint ToEndPoint(SocketAddress address)
    {
        var template = new IPEndPoint(_socket!.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        return Normalize((IPEndPoint)template.Create(address));
    }
}
