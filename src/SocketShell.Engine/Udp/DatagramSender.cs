using System.Net.Sockets;
using System.Net;
using System.Runtime.CompilerServices;
using SocketShell.Common;

namespace SocketShell.Udp;

/// <summary>
/// Sends datagrams to one target over one socket, optionally waiting for one reply each.
/// <para>
/// For a unicast target the socket is connected, so the operating system delivers only the target's
/// replies and reports an ICMP port unreachable as a refused receive: that is what makes
/// <see cref="DatagramStatus.PortUnreachable"/> real rather than a guess. For a broadcast or multicast
/// target the socket is not connected and a reply from any address counts.
/// </para>
/// <para>
/// With <see cref="IPFamily.Any"/> and a name resolving to several addresses, the first address that can
/// be used is taken; when waiting for a reply and that address reports port unreachable, the datagram is
/// sent to the next address (so <c>localhost</c> reaches a receiver on 127.0.0.1 even when ::1 comes first).
/// </para>
/// </summary>
public sealed class DatagramSender : IDisposable
{
    private const int ReceiveBufferSize = 65_536;

    private readonly DatagramSendOptions _options;
    private readonly IPAddress[] _addresses;
    private readonly string _target;
    private int _index;
    private IPEndPoint? _remote;
    private Socket? _socket;
    private IPEndPoint? _localEndPoint;
    private bool _connected;
    private byte[]? _replyBuffer;
    private bool _disposed;

    private DatagramSender(DatagramSendOptions options, IPAddress[] addresses)
    {
        _options = options;
        _addresses = addresses;
        _target = EndPointText.Format(options.ComputerName, options.Port);
    }

    /// <summary>The address and port datagrams currently go to.</summary>
    public IPEndPoint RemoteEndPoint => _remote ??= new(_addresses[_index], _options.Port);

    /// <summary>The local address and port datagrams currently leave from (null before the first send on an unbound, unconnected socket).</summary>
    public IPEndPoint? LocalEndPoint
    {
        get
        {
            // Fixed once the socket is bound (by LocalPort, connect, or the first send): ask the OS once.
            if (_localEndPoint is null && _socket?.LocalEndPoint is IPEndPoint ep && ep.Port != 0)
            {
                _localEndPoint = DatagramAddresses.Normalize(ep);
            }

            return _localEndPoint;
        }
    }

    /// <summary>Bytes queued on the socket and not yet read (late replies); for tests.</summary>
    internal int PendingBytes => _socket?.Available ?? 0;

    /// <summary>The socket's unicast TTL and multicast TTL as the OS reports them; for tests.</summary>
    internal (int Unicast, int Multicast) SocketTtl => _socket is null
        ? (0, 0)
        : (_socket.Ttl, (int)_socket.GetSocketOption(
            _socket.AddressFamily == AddressFamily.InterNetworkV6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP,
            SocketOptionName.MulticastTimeToLive)!);

    /// <summary>Whether an asynchronous error (an ICMP report) is pending on the socket, without consuming it; for tests.</summary>
    internal bool HasPendingError => _socket?.Poll(0, SelectMode.SelectError) ?? false;

    /// <summary>Every address the target resolved to (of the requested family), in the order they are tried.</summary>
    public IReadOnlyList<IPAddress> Addresses => _addresses;

    /// <summary>
    /// Resolves the target, refuses a broadcast target unless <see cref="DatagramSendOptions.Broadcast"/>,
    /// and opens (and for unicast connects) the socket. Nothing is sent yet.
    /// </summary>
    /// <exception cref="SocketShellException">HostNotFound, BroadcastNotAllowed, PortInUse (LocalPort), NetworkUnreachable, …</exception>
    public static async Task<DatagramSender> OpenAsync(DatagramSendOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Resolver, nameof(options));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
        Common.HostNameRules.Validate(options.ComputerName);
        if (options.Port is < 1 or > 65535)
        {
            throw new SocketShellException(SocketErrorKind.InvalidPort, $"The port {options.Port} is not a destination port: it must be from 1 to 65535.", EndPointText.Format(options.ComputerName, options.Port));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.LocalPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.LocalPort, 65535);
        if (options.Ttl is { } ttl && (ttl < 1 || ttl > 255))
        {
            throw new ArgumentOutOfRangeException(nameof(options), ttl, "Ttl must be from 1 to 255.");
        }

        IPAddress[] addresses = await options.Resolver(options.ComputerName, options.AddressFamily, cancellationToken).ConfigureAwait(false);
        string target = EndPointText.Format(options.ComputerName, options.Port);
        if (!options.Broadcast)
        {
            IPAddress? broadcast = Array.Find(addresses, DatagramAddresses.IsBroadcast);
            if (broadcast is not null)
            {
                throw new SocketShellException(
                    SocketErrorKind.BroadcastNotAllowed,
                    $"{broadcast} is a broadcast address: every host on the network would receive the datagram. Use -Broadcast to send to it deliberately. Nothing was sent.",
                    target);
            }
        }

        var sender = new DatagramSender(options, addresses);
        try
        {
            sender.OpenFirstUsable();
        }
        catch
        {
            sender.Dispose();
            throw;
        }

        return sender;
    }

    /// <summary>
    /// Sends <paramref name="payload"/> as one datagram and returns at once, without waiting for a reply
    /// (what <see cref="SendAsync"/> does without <c>waitForReply</c>, on the calling thread: a UDP send
    /// never waits for the peer, so no task, state machine or thread hop is paid per datagram).
    /// </summary>
    /// <exception cref="SocketShellException">DatagramTooLarge (nothing is sent), or a socket failure of the send.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public DatagramResult Send(ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        IPEndPoint remote = RemoteEndPoint;
        CheckSize(remote, payload.Length);
        DatagramResult result = NewResult(remote, payload.Length);
        if (!TrySend(_socket!, remote, payload))
        {
            result.Status = DatagramStatus.PortUnreachable;
        }

        result.Local = LocalEndPoint;
        return result;
    }

    /// <summary>
    /// Sends <paramref name="payload"/> as one datagram; with <paramref name="waitForReply"/>, waits up to
    /// <paramref name="timeout"/> for one datagram back.
    /// </summary>
    /// <exception cref="SocketShellException">DatagramTooLarge (nothing is sent), or a socket failure of the send.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<DatagramResult> SendAsync(ReadOnlyMemory<byte> payload, bool waitForReply, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (waitForReply && (timeout <= TimeSpan.Zero || timeout > DurationParser.Maximum))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The reply timeout must be greater than zero.");
        }

        if (!waitForReply)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Send(payload.Span);
        }

        while (true)
        {
            IPEndPoint remote = RemoteEndPoint;
            CheckSize(remote, payload.Length);
            DatagramResult result = await SendOnceAsync(remote, payload, waitForReply, timeout, cancellationToken).ConfigureAwait(false);
            // Only a reply-wanted datagram learns that nobody listens (port unreachable); then the next address gets it.
            bool answered = !(waitForReply && result.Status == DatagramStatus.PortUnreachable);
            if (AddressFallback.TriesNext(answered, _index, _addresses.Length))
            {
                // Nobody listens at this address: the datagram was not received. Try the next address; if
                // that one cannot even be opened, the honest answer is this address's PortUnreachable.
                int current = _index;
                try
                {
                    AdvanceTo(current + 1);
                    continue;
                }
                catch (SocketShellException)
                {
                    AdvanceTo(current);
                }
            }

            return result;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _socket?.Dispose();
        _socket = null;
    }

    private async Task<DatagramResult> SendOnceAsync(IPEndPoint remote, ReadOnlyMemory<byte> payload, bool waitForReply, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Socket socket = _socket!;
        if (waitForReply)
        {
            StaleReplies.Discard(socket, _replyBuffer ??= new byte[ReceiveBufferSize]);
        }

        TimeProvider time = _options.TimeProvider;
        DatagramResult result = NewResult(remote, payload.Length);
        long start = time.GetTimestamp();
        cancellationToken.ThrowIfCancellationRequested();
        if (!TrySend(socket, remote, payload.Span))
        {
            result.Status = DatagramStatus.PortUnreachable;
            result.Local = LocalEndPoint;
            return result;
        }

        result.Local = LocalEndPoint;
        if (!waitForReply)
        {
            return result;
        }

        _replyBuffer ??= new byte[ReceiveBufferSize];
        using var timeoutSource = new Deadline(timeout, time, cancellationToken);
        try
        {
            int received;
            IPEndPoint from;
            if (_connected)
            {
                received = await socket.ReceiveAsync(_replyBuffer, SocketFlags.None, timeoutSource.Token).ConfigureAwait(false);
                from = remote;
            }
            else
            {
                EndPoint any = new IPEndPoint(remote.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
                SocketReceiveFromResult r = await socket.ReceiveFromAsync(_replyBuffer, SocketFlags.None, any, timeoutSource.Token).ConfigureAwait(false);
                received = r.ReceivedBytes;
                from = DatagramAddresses.Normalize((IPEndPoint)r.RemoteEndPoint);
            }

            TimeSpan rtt = time.GetElapsedTime(start);
            result.Status = DatagramStatus.Replied;
            result.RoundTripTime = rtt;
            result.Reply = new SocketMessage(_replyBuffer.AsSpan(0, received).ToArray(), _options.Encoding, LocalClock.Now(time))
            {
                Protocol = TransportProtocol.Udp,
                Remote = from,
                Local = result.Local,
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.Status = DatagramStatus.NoReply;
        }
        catch (SocketException e) when (StaleReplies.IsPortUnreachable(e))
        {
            result.Status = DatagramStatus.PortUnreachable;
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CheckSize(IPEndPoint remote, int length)
    {
        int limit = DatagramAddresses.MaxPayload(remote.AddressFamily);
        if (length > limit)
        {
            string family = remote.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
            throw new SocketShellException(
                SocketErrorKind.DatagramTooLarge,
                $"The payload is {length:N0} bytes; a UDP datagram over {family} carries at most {limit:N0}. Nothing was sent.",
                _target);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private DatagramResult NewResult(IPEndPoint remote, int length) => new()
    {
        ComputerName = _options.ComputerName,
        Remote = remote,
        BytesSent = length,
        Timestamp = LocalClock.Now(_options.TimeProvider),
        Status = DatagramStatus.Sent,
    };

    // Sends one datagram, synchronously: a UDP send hands the datagram to the kernel and never waits for
    // the peer. A refused send on a connected socket is the ICMP error of an EARLIER datagram surfacing
    // (Linux reports it on the next call, and the datagram is not sent): send once more. Refused again
    // means the port is unreachable now.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TrySend(Socket socket, IPEndPoint remote, ReadOnlySpan<byte> payload)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (_connected)
                {
                    socket.Send(payload, SocketFlags.None);
                }
                else
                {
                    socket.SendTo(payload, SocketFlags.None, remote);
                }

                return true;
            }
            catch (SocketException e) when (_connected && StaleReplies.IsPortUnreachable(e))
            {
                if (attempt > 0)
                {
                    return false;
                }
            }
            catch (SocketException e)
            {
                throw DatagramSocketFactory.SendFailure(e, remote, _options, _target);
            }
        }
    }

    private void OpenFirstUsable()
    {
        SocketShellException? last = null;
        for (int i = 0; i < _addresses.Length; i++)
        {
            try
            {
                AdvanceTo(i);
                return;
            }
            catch (SocketShellException e) when (e.Kind is SocketErrorKind.NetworkUnreachable or SocketErrorKind.AddressNotAvailable && i + 1 < _addresses.Length)
            {
                last = e;
            }
        }

        throw last ?? new SocketShellException(SocketErrorKind.HostNotFound, $"No usable address for {_target}.", _target);
    }

    private void AdvanceTo(int index)
    {
        _socket?.Dispose();
        _socket = null;
        _localEndPoint = null;
        _remote = null;
        _index = index;
        _socket = DatagramSocketFactory.Open(RemoteEndPoint, _options, _target, out _connected);
    }
}
