using System.Net;
using System.Text;
using SocketShell.Listeners;

namespace SocketShell;

/// <summary>
/// A background TCP or UDP listener of this session. The object is live: its counters and
/// <see cref="State"/> are read from the running listener each time, and keep their final values
/// after it stops.
/// </summary>
public sealed class SocketListener
{
    private readonly ListenerWorker _worker;
    private readonly CaptureBuffer _capture;
    internal long _bytesReceived;
    internal long _bytesSent;
    internal long _connectionCount;
    internal long _rejected;
    internal long _datagrams;
    internal long _handshakeFailures;
    internal int _active;
    internal long _upstreamBytesSent;
    internal long _upstreamBytesReceived;
    internal long _forwardFailures;
    internal int _activePairs;
    private ForwardError? _lastForwardError;
    private int _state;
    private Exception? _error;
    private IPEndPoint? _local;
    private string? _localText;

    private readonly ListenerRegistry _registry;

    internal SocketListener(int id, string name, ListenerOptions options, ListenerWorker worker, ListenerRegistry registry)
    {
        _registry = registry;
        Id = id;
        Name = name;
        Options = options;
        _worker = worker;
        _capture = new CaptureBuffer(options.Mode == ListenerMode.Discard ? 0 : options.CaptureLimit);
        StartTime = options.TimeProvider.GetLocalNow();
    }

    /// <summary>The number of the listener in its session (runspace).</summary>
    public int Id { get; }

    /// <summary>The unique name (e.g. tcp-8080).</summary>
    public string Name { get; }

    /// <summary>Tcp, Udp, or Unix (a stream listener on a Unix socket path).</summary>
    public TransportProtocol Protocol => Options.Path is null ? Options.Protocol : TransportProtocol.Unix;

    /// <summary>The Unix socket path (or '@abstract' name) it listens on; null for TCP and UDP.</summary>
    public string? Path => Options.Path;

    /// <summary>What it does with received data.</summary>
    public ListenerMode Mode => Options.Mode;

    /// <summary>The address and port it listens on, as text (<c>127.0.0.1:8080</c>, <c>[::1]:8080</c>); null for a Unix socket (see <see cref="Path"/>). <see cref="GetLocalEndPoint"/> gives the IPEndPoint.</summary>
    public string? LocalEndPoint => _localText ??= EndPointText.Format(_local);

    /// <summary>The address it listens on, as text (<c>127.0.0.1</c>, <c>::</c>); null for a Unix socket.</summary>
    public string? LocalAddress => _local?.Address.ToString();

    /// <summary>The port it listens on (the one the OS chose when asked for port 0); 0 for a Unix socket.</summary>
    public int Port => _local?.Port ?? 0;

    /// <summary>Listening, Stopped or Faulted.</summary>
    public ListenerState State => (ListenerState)Volatile.Read(ref _state);

    /// <summary>When it started.</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>When it stopped, or null while it listens.</summary>
    public DateTimeOffset? StopTime { get; private set; }

    /// <summary>TCP: connections accepted and served so far. UDP: distinct peers seen so far.</summary>
    public long ConnectionCount => Interlocked.Read(ref _connectionCount);

    /// <summary>TCP connections open now (always 0 for UDP).</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>Connections accepted beyond MaxConnections and closed at once.</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejected);

    /// <summary>Bytes received from all clients.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Bytes sent to all clients (banners, echoes, replies).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes kept for Receive-SocketData so far (including those already taken).</summary>
    public long CapturedBytes => _capture.CapturedBytes;

    /// <summary>
    /// Bytes received but not kept: beyond the capture limit, or everything in Discard mode.
    /// BytesReceived = CapturedBytes + DroppedBytes (in Forward mode, BytesReceived + UpstreamBytesReceived: both directions are kept).
    /// </summary>
    public long DroppedBytes => Mode == ListenerMode.Discard ? BytesReceived : _capture.DroppedBytes;

    /// <summary>Bytes kept and not yet taken by Receive-SocketData.</summary>
    public long PendingBytes => _capture.PendingBytes;

    /// <summary>Messages kept and not yet taken by Receive-SocketData.</summary>
    public int PendingMessages => _capture.PendingCount;

    /// <summary>The capture limit in bytes.</summary>
    public long CaptureLimit => Options.CaptureLimit;

    /// <summary>UDP: datagrams received (0 for TCP).</summary>
    public long DatagramsReceived => Interlocked.Read(ref _datagrams);

    /// <summary>
    /// UDP: datagrams the operating system dropped before the listener could read them because the
    /// socket's receive queue was full (read from /proc/net/udp on Linux); null where the OS does not say.
    /// </summary>
    public long? SystemDroppedDatagrams => Protocol == TransportProtocol.Udp ? _worker.SystemDrops : null;

    /// <summary>TLS connections whose handshake failed.</summary>
    public long TlsHandshakeFailures => Interlocked.Read(ref _handshakeFailures);

    /// <summary>Whether clients speak TLS to it.</summary>
    public bool IsTls => Options.Certificate is not null;

    /// <summary>The most connections served at once.</summary>
    public int MaxConnections => Options.MaxConnections;

    /// <summary>How long a TCP connection may stay silent, or null.</summary>
    public TimeSpan? IdleTimeout => Options.IdleTimeout;

    /// <summary>Forward mode: where clients are relayed to, as text (<c>127.0.0.1:8080</c>, <c>[::1]:8080</c> or a socket path); null in other modes. <see cref="GetForwardTarget"/> gives the ForwardTarget.</summary>
    public string? ForwardTo => Options.ForwardTo?.ToString();

    /// <summary>Forward mode: whether the listener speaks TLS to the upstream.</summary>
    public bool ForwardTls => Options.ForwardTls;

    /// <summary>Forward mode: the time allowed to reach the upstream for each client (null in other modes).</summary>
    public TimeSpan? ConnectTimeout => Mode == ListenerMode.Forward ? Options.ConnectTimeout : null;

    /// <summary>Forward mode: relayed pairs open now (TCP: client connections with their upstream connected; UDP: peers with an upstream socket).</summary>
    public int ActivePairs => Volatile.Read(ref _activePairs);

    /// <summary>Forward mode: bytes written to upstream servers (client to server).</summary>
    public long UpstreamBytesSent => Interlocked.Read(ref _upstreamBytesSent);

    /// <summary>Forward mode: bytes read from upstream servers (server to client).</summary>
    public long UpstreamBytesReceived => Interlocked.Read(ref _upstreamBytesReceived);

    /// <summary>Forward mode: clients (or UDP datagrams) that could not be relayed because the upstream refused, timed out, did not resolve or failed TLS.</summary>
    public long ForwardFailures => Interlocked.Read(ref _forwardFailures);

    /// <summary>Forward mode: the latest of <see cref="ForwardFailures"/>, or null.</summary>
    public ForwardError? LastForwardError => Volatile.Read(ref _lastForwardError);

    /// <summary>What stopped it, when <see cref="State"/> is Faulted (the message; <see cref="GetError"/> gives the exception); null otherwise.</summary>
    public string? Error => Volatile.Read(ref _error)?.Message;

    /// <summary>The address and port it listens on, as an IPEndPoint; null for a Unix socket.</summary>
    public IPEndPoint? GetLocalEndPoint() => _local;

    /// <summary>Forward mode: where clients are relayed to; null in other modes.</summary>
    public ForwardTarget? GetForwardTarget() => Options.ForwardTo;

    /// <summary>The exception that stopped it, when <see cref="State"/> is Faulted; null otherwise.</summary>
    public Exception? GetError() => Volatile.Read(ref _error);

    internal ListenerOptions Options { get; }

    internal CaptureBuffer Capture => _capture;

    internal Encoding Encoding => Options.Encoding;

    /// <summary>Closes the listening socket and every live connection; waits (bounded) until they are closed.</summary>
    public Task StopAsync() => StopCoreAsync(null);

    /// <summary>Like <see cref="StopAsync()"/>, waiting at most <paramref name="timeout"/> for the connections to close.</summary>
    /// <exception cref="SocketShellException">Kind <see cref="SocketErrorKind.StopTimeout"/>: the listening socket is closed, but a connection had not ended in time.</exception>
    public async Task StopAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await StopCoreAsync(null).WaitAsync(timeout, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new SocketShellException(
                SocketErrorKind.StopTimeout,
                $"The listener '{Name}' stopped listening, but its connections did not all close within {Common.DurationText.Format(timeout)}.",
                Name,
                e);
        }
    }

    /// <summary>
    /// Takes up to <paramref name="maxCount"/> kept messages, oldest first (leaves them kept with
    /// <paramref name="peek"/>), optionally only those of one connection. When <paramref name="waitFor"/>
    /// is above zero it first waits up to <paramref name="timeout"/> until that many are kept, or the
    /// listener stops; on timeout it returns what there is.
    /// </summary>
    public async Task<IReadOnlyList<SocketMessage>> ReceiveAsync(
        int maxCount, int waitFor, int? connectionId, bool peek, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        if (waitFor > 0)
        {
            using var deadline = new Common.Deadline(timeout, Options.TimeProvider, cancellationToken);
            try
            {
                while (_capture.CountMatching(connectionId) < waitFor && State == ListenerState.Listening)
                {
                    Task arrival = _capture.NextArrival();
                    if (_capture.CountMatching(connectionId) >= waitFor || State != ListenerState.Listening)
                    {
                        break;
                    }

                    await arrival.WaitAsync(deadline.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Timed out: return what there is.
            }
        }

        return _capture.Take(maxCount, connectionId, peek);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    internal void SetLocalEndPoint(IPEndPoint? endPoint) => (_local, _localText) = (endPoint, null);

    internal async Task StopCoreAsync(Exception? fault)
    {
        int target = fault is null ? (int)ListenerState.Stopped : (int)ListenerState.Faulted;
        if (Interlocked.CompareExchange(ref _state, target, (int)ListenerState.Listening) != (int)ListenerState.Listening)
        {
            await _worker.Completion.ConfigureAwait(false);
            return;
        }

        if (fault is not null)
        {
            Volatile.Write(ref _error, fault);
        }

        StopTime = Options.TimeProvider.GetLocalNow();
        _registry.Unregister(this);
        try
        {
            await _worker.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _capture.WakeAll();
        }
    }

    /// <summary>Keeps what fits of <paramref name="data"/> for Receive-SocketData, within the limit; the rest is counted as dropped.</summary>
    internal void Keep(ReadOnlySpan<byte> data, int? connectionId, IPEndPoint? remote, bool wholeOnly, MessageDirection direction = MessageDirection.ClientToServer)
    {
        int take = _capture.Reserve(data.Length, wholeOnly);
        if (take >= 0)
        {
            Store(data, take, connectionId, remote, direction);
        }
    }

    /// <summary>Counts a client the Forward mode could not relay and keeps the reason as <see cref="LastForwardError"/>.</summary>
    internal void RecordForwardFailure(SocketShellException failure, int? connectionId, IPEndPoint? client)
    {
        Interlocked.Increment(ref _forwardFailures);
        Volatile.Write(ref _lastForwardError, new ForwardError
        {
            Time = Options.TimeProvider.GetLocalNow(),
            Kind = failure.Kind,
            Target = Options.ForwardTo?.ToString() ?? string.Empty,
            ConnectionId = connectionId,
            Client = client,
            Message = failure.Message,
        });
    }

    /// <summary>
    /// The first half of keeping: how many bytes of <paramref name="length"/> fit (-1: none, counted as
    /// dropped). Callers build the remote endpoint only when something fits, so a full capture costs nothing.
    /// </summary>
    internal int Reserve(int length, bool wholeOnly) => _capture.Reserve(length, wholeOnly);

    /// <summary>The second half of keeping: stores the first <paramref name="take"/> bytes of <paramref name="data"/>.</summary>
    internal void Store(ReadOnlySpan<byte> data, int take, int? connectionId, IPEndPoint? remote, MessageDirection direction = MessageDirection.ClientToServer)
    {
        if (take == 0 && data.Length > 0)
        {
            return;
        }

        var message = new SocketMessage(data[..take].ToArray(), Options.Encoding, Common.LocalClock.Now(Options.TimeProvider))
        {
            Protocol = Protocol,
            ListenerId = Id,
            ConnectionId = connectionId,
            Local = _local,
            Remote = remote,
            Direction = direction,
            LocalPath = Options.Path,
        };
        _capture.Add(message, data.Length);
    }
}
