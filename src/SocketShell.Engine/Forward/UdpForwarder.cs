using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using SocketShell.Common;
using SocketShell.Listeners;

namespace SocketShell.Forward;

/// <summary>
/// UDP Forward mode: each client peer gets its own connected upstream socket, so the upstream's replies
/// come back on that socket and are sent to that peer from the listening socket. A peer's upstream
/// socket is closed after the idle timeout. <see cref="Forward"/> and <see cref="Sweep"/> run on the
/// listener's receive thread only; replies run on the socket engine's threads.
/// </summary>
internal sealed class UdpForwarder : IDisposable
{
    private static readonly TimeSpan s_resolveLifetime = TimeSpan.FromSeconds(30);

    private readonly Socket _listenSocket;
    private readonly SocketListener _listener;
    private readonly ForwardTarget _target;
    private readonly ConcurrentDictionary<SocketAddress, UdpUpstream> _upstreams = new();
    private readonly TimeProvider _time;
    private readonly long _idle;
    private readonly long _sweepPeriod;
    private readonly long _resolveLifetime;
    private readonly int _maxPeers;
    private long _nextSweep;
    private IPEndPoint? _resolved;
    private long _resolvedAt;
    private volatile bool _disposed;

    public UdpForwarder(Socket listenSocket, SocketListener listener, ListenerOptions options)
    {
        _listenSocket = listenSocket;
        _listener = listener;
        _target = options.ForwardTo!;
        _time = options.TimeProvider;
        TimeSpan idle = options.IdleTimeout ?? ListenerOptions.DefaultUdpForwardIdleTimeout;
        SweepPeriodMs = (int)Math.Clamp(idle.TotalMilliseconds / 4, 10, 500);
        _idle = ToTimestamp(idle);
        _sweepPeriod = ToTimestamp(TimeSpan.FromMilliseconds(SweepPeriodMs));
        _resolveLifetime = ToTimestamp(s_resolveLifetime);
        _maxPeers = options.MaxConnections;
    }

    /// <summary>
    /// How often the receive loop must look at idle peers at least (its receive timeout, real time). What is idle
    /// is decided on the listener's clock (<see cref="ListenerOptions.TimeProvider"/>) at each look.
    /// </summary>
    public int SweepPeriodMs { get; }

    /// <summary>The listener's clock (peers' last activity is in its timestamps).</summary>
    internal TimeProvider Time => _time;

    internal SocketListener Listener => _listener;

    internal Socket ListenSocket => _listenSocket;

    /// <summary>Sends a datagram from <paramref name="from"/> (peer number <paramref name="peerId"/>) upstream, opening its upstream socket on first use.</summary>
    public void Forward(SocketAddress from, int peerId, ReadOnlySpan<byte> data, Func<SocketAddress, IPEndPoint> toEndPoint)
    {
        if (!_upstreams.TryGetValue(from, out UdpUpstream? upstream))
        {
            upstream = Open(from, peerId, toEndPoint);
            if (upstream is null)
            {
                return;
            }
        }

        upstream.Touch();
        try
        {
            int sent = upstream.Socket.Send(data, SocketFlags.None);
            Interlocked.Add(ref _listener._upstreamBytesSent, sent);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
        {
            // An ICMP "port unreachable" for an earlier datagram surfaced on this send.
            Refused(upstream);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Full send buffer or closing: the datagram is lost, as datagrams may be.
        }
    }

    /// <summary>Closes the upstream sockets of peers silent for the idle timeout (cheap when not due).</summary>
    public void Sweep()
    {
        long now = _time.GetTimestamp();
        if (now < _nextSweep)
        {
            return;
        }

        _nextSweep = now + _sweepPeriod;
        foreach (KeyValuePair<SocketAddress, UdpUpstream> pair in _upstreams)
        {
            if (now - pair.Value.LastActivity >= _idle && _upstreams.TryRemove(pair.Key, out UdpUpstream? idle))
            {
                idle.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (SocketAddress key in _upstreams.Keys)
        {
            if (_upstreams.TryRemove(key, out UdpUpstream? upstream))
            {
                upstream.Dispose();
            }
        }
    }

    private long ToTimestamp(TimeSpan span) => (long)Math.Ceiling(span.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);

    internal void Refused(UdpUpstream upstream) =>
        _listener.RecordForwardFailure(
            new SocketShellException(SocketErrorKind.ConnectionRefused, $"The upstream {_target} refused a datagram (ICMP port unreachable).", _target.ToString()),
            upstream.PeerId,
            upstream.PeerEndPoint);

    internal void Closed(UdpUpstream upstream)
    {
        // The receive loop ended (idle, stop or a failure): forget it if it is still the peer's upstream.
        _upstreams.TryRemove(new KeyValuePair<SocketAddress, UdpUpstream>(upstream.Peer, upstream));
    }

    private UdpUpstream? Open(SocketAddress from, int peerId, Func<SocketAddress, IPEndPoint> toEndPoint)
    {
        if (_disposed)
        {
            return null;
        }

        IPEndPoint peer = toEndPoint(from);
        if (_upstreams.Count >= _maxPeers)
        {
            Interlocked.Increment(ref _listener._rejected);
            return null;
        }

        IPEndPoint? target = Resolve(peerId, peer);
        if (target is null)
        {
            return null;
        }

        var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Connect(target);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            _listener.RecordForwardFailure(
                new SocketShellException(SocketFailure.Classify(e.SocketErrorCode), $"Cannot open a UDP socket to the upstream {_target}: {e.Message}", _target.ToString(), e),
                peerId,
                peer);
            return null;
        }

        var copy = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span[..from.Size].CopyTo(copy.Buffer.Span);
        var upstream = new UdpUpstream(this, socket, copy, peerId, peer);
        _upstreams[copy] = upstream;
        upstream.Start();
        return upstream;
    }

    /// <summary>The upstream address: the literal itself, or the name resolved (kept for a short while; resolving blocks only the first datagram of a new peer).</summary>
    private IPEndPoint? Resolve(int peerId, IPEndPoint peer)
    {
        if (_target.Address is { } literal)
        {
            return new IPEndPoint(literal, _target.Port);
        }

        long now = _time.GetTimestamp();
        if (_resolved is not null && now - _resolvedAt < _resolveLifetime)
        {
            return _resolved;
        }

        try
        {
            IPAddress[] addresses = HostResolver.ResolveAsync(_target.Host!, IPFamily.Any, CancellationToken.None).GetAwaiter().GetResult();
            _resolved = new IPEndPoint(addresses[0], _target.Port);
            _resolvedAt = now;
            return _resolved;
        }
        catch (SocketShellException e)
        {
            _listener.RecordForwardFailure(
                new SocketShellException(e.Kind, $"The upstream host of {_target} could not be resolved: {e.Message}", _target.ToString(), e),
                peerId,
                peer);
            return null;
        }
    }
}
