using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace SocketShell.Listeners;

/// <summary>
/// TCP and Unix stream listeners. On Linux, plain connections (not TLS, not Forward) are served by a
/// <see cref="StreamEventLoop"/>: one thread per listener that accepts, receives and sends itself, with
/// no thread-pool hop per message (<see cref="ServedByEventLoop"/> is the one place that chooses).
/// Otherwise: one asynchronous accept loop; each connection runs its own receive loop. An idle connection
/// holds no buffer (it waits with a zero-byte receive and rents a pooled buffer only when data is
/// there), so thousands of idle connections cost little. Discard and Echo allocate nothing per read
/// once the capture is full (or in Discard mode at all). The same machinery serves a Unix stream
/// socket (<see cref="ListenerOptions.Path"/>): only binding and the socket file differ.
/// </summary>
internal sealed class TcpListenerWorker : ListenerWorker
{
    internal const int BufferSize = 64 * 1024;

    // Connections rent a buffer only while data is flowing and return it when drained, often on another
    // thread. A private locked pool always finds the returned buffer again (the shared pool's per-thread
    // caches miss now and then and allocate 64 KB); at most 256 idle buffers (16 MB) are kept.
    private static readonly ArrayPool<byte> s_buffers = ArrayPool<byte>.Create(BufferSize, 256);
    private static readonly TimeSpan s_handshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<int, Connection> _connections = new();
    private Socket? _socket;
    private Unix.UnixSocketFile? _file;
    private readonly object _idleGate = new();
    private readonly IdleSchedule? _idle;
    private ITimer? _idleTimer;
    private bool _idleArmed;
    private long _idleLookAt;
    private bool _idleEnded;
    private int _nextConnectionId;
    private StreamEventLoop[]? _loops;

    /// <summary>Event loops per listener: one per core (at most 4), so a busy listener can use every core as socat's processes do.</summary>
    private int EventLoopCount => Options.EventLoops > 0 ? Options.EventLoops : Math.Clamp(Environment.ProcessorCount, 1, 4);

    public TcpListenerWorker(ListenerOptions options) : base(options) => _idle = IdleSchedule.Of(options);

    public override IPEndPoint? Bind()
    {
        if (Options.Path is { } path)
        {
            _file = Unix.UnixSocketFile.Bind(path, SocketType.Stream, Options.Force, Options.Permission);
            _socket = _file.Socket;
        }
        else
        {
            _socket = CreateBoundSocket(SocketType.Stream, ProtocolType.Tcp);
        }

        try
        {
            _socket.Listen(Math.Max(512, Math.Min(Options.MaxConnections, 4096)));
            if (_file is null)
            {
                Forward.ForwardLoopGuard.ThrowIfSelf(Options, Normalize((IPEndPoint)_socket.LocalEndPoint!));
            }
        }
        catch
        {
            _socket.Dispose();
            _file?.Remove();
            throw;
        }

        return _file is null ? Normalize((IPEndPoint)_socket.LocalEndPoint!) : null;
    }

    /// <summary>
    /// Whether the listener's connections are served by a <see cref="StreamEventLoop"/> (Linux, no TLS, not
    /// Forward) rather than by the asynchronous per-connection loops (TLS, Forward, other systems).
    /// </summary>
    internal static bool ServedByEventLoop(ListenerOptions options) =>
        OperatingSystem.IsLinux() && options.Certificate is null && options.Mode != ListenerMode.Forward && !options.AsynchronousConnections;

    public override void CloseAll()
    {
        if (Volatile.Read(ref _loops) is { } loops && loops.Any(l => !l.Completion.IsCompleted))
        {
            // The loops own the listening socket and the connections while they run: they close them and end;
            // the socket is disposed once they have (RunAsync calls CloseAll again then).
            foreach (StreamEventLoop loop in loops)
            {
                loop.RequestStop();
            }

            _file?.Remove();
            return;
        }

        lock (_idleGate)
        {
            _idleEnded = true;
            _idleTimer?.Dispose();
        }

        _socket?.Dispose();
        _file?.Remove();
        foreach (Connection c in _connections.Values)
        {
            c.Close();
        }
    }

    protected override async Task LoopAsync()
    {
        Socket listen = _socket!;
        if (ServedByEventLoop(Options))
        {
            await RunEventLoopsAsync(listen).ConfigureAwait(false);
            return;
        }

        try
        {
            await AcceptLoopAsync(listen).ConfigureAwait(false);
        }
        finally
        {
            // Stopping (or failing): every connection is closed; wait until their loops have ended.
            foreach (Connection c in _connections.Values)
            {
                c.Close();
            }

            await Task.WhenAll(_connections.Values.Select(c => c.Completion)).ConfigureAwait(false);
        }
    }

    /// <summary>The event loops of the listener: all accept (one is woken per connection) and serve what they accepted.</summary>
    private async Task RunEventLoopsAsync(Socket listen)
    {
        int count = EventLoopCount;
        var loops = new StreamEventLoop[count];
        for (int i = 0; i < count; i++)
        {
            loops[i] = new StreamEventLoop(Listener, Options, listen, () => Interlocked.Increment(ref _nextConnectionId), i, shared: count > 1);
        }

        Volatile.Write(ref _loops, loops);
        void StopLoops()
        {
            foreach (StreamEventLoop loop in loops)
            {
                loop.RequestStop();
            }
        }

        using (Stopping.Token.Register(StopLoops))
        {
            var running = new List<Task>(count);
            try
            {
                foreach (StreamEventLoop loop in loops)
                {
                    running.Add(loop.Start());
                }
            }
            catch
            {
                StopLoops();
                await Task.WhenAll(running).ConfigureAwait(false);
                throw;
            }

            // One loop failing (the listening socket broke) ends them all; the failure faults the listener.
            await Task.WhenAny(running).ConfigureAwait(false);
            StopLoops();
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private async Task AcceptLoopAsync(Socket listen)
    {
        CancellationToken stop = Stopping.Token;
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listen.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue; // the client went away before we took it
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // Out of file descriptors: back off instead of spinning; connections closing will free some.
                await Task.Delay(50, stop).ConfigureAwait(false);
                continue;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }

            if (Volatile.Read(ref Listener._active) >= Options.MaxConnections)
            {
                Interlocked.Increment(ref Listener._rejected);
                client.Dispose();
                continue;
            }

            Interlocked.Increment(ref Listener._active);
            Interlocked.Increment(ref Listener._connectionCount);
            var connection = new Connection(this, client, Interlocked.Increment(ref _nextConnectionId));
            _connections[connection.Id] = connection;
            if (stop.IsCancellationRequested)
            {
                connection.Close();
            }

            ArmIdleFor(connection);
            connection.Completion = connection.RunAsync(stop);
        }
    }

    /// <summary>A connection was accepted: arms the idle timer for its deadline unless it is armed already (for an earlier one).</summary>
    private void ArmIdleFor(Connection connection)
    {
        if (_idle is null)
        {
            return;
        }

        lock (_idleGate)
        {
            if (!_idleArmed)
            {
                long now = _idle.Time.GetTimestamp();
                ArmIdle(now, _idle.NextLook(now, _idle.Deadline(Volatile.Read(ref connection.LastActivity)), long.MinValue));
            }
        }
    }

    /// <summary>The idle timer fell due: closes the connections idle now and arms the timer for the earliest deadline of the others.</summary>
    private void CloseIdle()
    {
        IdleSchedule idle = _idle!;
        lock (_idleGate)
        {
            _idleArmed = false;
            long now = idle.Time.GetTimestamp();
            long earliest = long.MaxValue;
            foreach (Connection c in _connections.Values)
            {
                long last = Volatile.Read(ref c.LastActivity);
                if (idle.IsIdle(now, last))
                {
                    c.Close();
                }
                else if (!c.IsClosed)
                {
                    earliest = Math.Min(earliest, idle.Deadline(last));
                }
            }

            if (earliest != long.MaxValue)
            {
                ArmIdle(now, idle.NextLook(now, earliest, _idleLookAt));
            }
        }
    }

    private void ArmIdle(long now, long at)
    {
        if (_idleEnded)
        {
            return;
        }

        _idleTimer ??= _idle!.Time.CreateTimer(static state => ((TcpListenerWorker)state!).CloseIdle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _idleTimer.Change(_idle!.DueIn(now, at), Timeout.InfiniteTimeSpan);
        _idleLookAt = at;
        _idleArmed = true;
    }

    private sealed class Connection
    {
        private readonly TcpListenerWorker _owner;
        private readonly Socket _socket;
        private readonly TimeProvider _time;
        private SslStream? _tls;
        private Forward.Relay? _relay;
        private int _closed;
        internal long LastActivity;

        public Connection(TcpListenerWorker owner, Socket socket, int id)
        {
            _owner = owner;
            _socket = socket;
            Id = id;
            _time = owner.Options.TimeProvider;
            LastActivity = _time.GetTimestamp();
            try
            {
                if (socket.AddressFamily == AddressFamily.Unix)
                {
                    Remote = null; // clients of a Unix socket are (nearly always) unnamed
                }
                else
                {
                    Remote = Normalize((IPEndPoint)socket.RemoteEndPoint!);
                    socket.NoDelay = true;
                }

                if (owner.Options.Certificate is null)
                {
                    // Sends are tried at once without blocking; only what does not fit waits asynchronously.
                    // (SslStream's NetworkStream needs a blocking socket, so TLS connections keep it.)
                    socket.Blocking = false;
                }
            }
            catch (SocketException)
            {
                Remote = socket.AddressFamily == AddressFamily.Unix ? null : new IPEndPoint(IPAddress.None, 0);
            }
        }

        public int Id { get; }

        public IPEndPoint? Remote { get; }

        public bool IsClosed => Volatile.Read(ref _closed) != 0;

        public Task Completion { get; set; } = Task.CompletedTask;

        private SocketListener Listener => _owner.Listener;

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                try
                {
                    // A FIN, not a reset: the peer reads the end of the stream.
                    _socket.Shutdown(SocketShutdown.Both);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // Already reset or closed.
                }

                _tls?.Dispose();
                _socket.Dispose();
                Volatile.Read(ref _relay)?.Close();
            }
        }

        /// <summary>Forward mode: the relay exists; closing the connection (idle timeout, stop) closes both its sides.</summary>
        private void Relayed(Forward.Relay relay)
        {
            Volatile.Write(ref _relay, relay);
            if (IsClosed)
            {
                relay.Close();
            }
        }

        public async Task RunAsync(CancellationToken stop)
        {
            byte[]? buffer = null;
            try
            {
                ListenerOptions options = _owner.Options;
                if (options.Certificate is not null)
                {
                    if (!await HandshakeAsync(options, stop).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                if (options.Mode == ListenerMode.Forward)
                {
                    await Forward.TcpForwardSession.RunAsync(Listener, _socket, _tls, Id, Remote, () => Volatile.Write(ref LastActivity, _time.GetTimestamp()), Relayed, stop).ConfigureAwait(false);
                    return;
                }

                if (options.Banner is { Length: > 0 } banner)
                {
                    await SendAsync(banner, stop).ConfigureAwait(false);
                }

                ListenerMode mode = options.Mode;
                bool keep = mode != ListenerMode.Discard;
                while (true)
                {
                    if (buffer is null)
                    {
                        // Idle: wait for data without holding a buffer.
                        await ReadAsync(Memory<byte>.Empty, stop).ConfigureAwait(false);
                        buffer = s_buffers.Rent(BufferSize);
                    }

                    int n = await ReadAsync(buffer, stop).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break; // the peer finished sending
                    }

                    Volatile.Write(ref LastActivity, _time.GetTimestamp());
                    Interlocked.Add(ref Listener._bytesReceived, n);
                    if (keep)
                    {
                        Listener.Keep(buffer.AsSpan(0, n), Id, Remote, wholeOnly: false);
                    }

                    if (mode == ListenerMode.Echo)
                    {
                        await SendAsync(buffer.AsMemory(0, n), stop).ConfigureAwait(false);
                    }
                    else if (mode == ListenerMode.Reply)
                    {
                        await SendAsync(options.Response!, stop).ConfigureAwait(false);
                        if (options.CloseAfterReply)
                        {
                            break;
                        }
                    }

                    if (n < buffer.Length)
                    {
                        // Drained what was there: give the buffer back while waiting for more.
                        s_buffers.Return(buffer);
                        buffer = null;
                    }
                }

                // Graceful end: tell the peer we are done too.
                if (_tls is not null)
                {
                    await _tls.ShutdownAsync().ConfigureAwait(false);
                }

                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or System.Security.Authentication.AuthenticationException or InvalidOperationException)
            {
                // Reset by the peer, closed by Stop or the idle timer: the connection ends, the listener goes on.
            }
            finally
            {
                if (buffer is not null)
                {
                    s_buffers.Return(buffer);
                }

                Close();
                _owner._connections.TryRemove(Id, out _);
                Interlocked.Decrement(ref Listener._active);
            }
        }

        private async Task<bool> HandshakeAsync(ListenerOptions options, CancellationToken stop)
        {
            _tls = new SslStream(new NetworkStream(_socket, ownsSocket: false), leaveInnerStreamOpen: false);
            using var timeout = new Common.Deadline(s_handshakeTimeout, _time, stop);
            try
            {
                await _tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions { ServerCertificate = options.Certificate, ClientCertificateRequired = false },
                    timeout.Token).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or SocketException or System.ComponentModel.Win32Exception)
            {
                if (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref Listener._handshakeFailures);
                }

                return false;
            }
        }

        // Socket operations take no token: Stop and the idle timer close the socket, which ends them,
        // and a token would cost a registration per operation on the hot path.
        private ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken stop) =>
            stop.IsCancellationRequested ? ValueTask.FromCanceled<int>(stop)
            : _tls is null ? _socket.ReceiveAsync(buffer, SocketFlags.None, CancellationToken.None) : _tls.ReadAsync(buffer, CancellationToken.None);

        private ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken stop)
        {
            if (stop.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(stop);
            }

            if (_tls is not null)
            {
                return SendTlsAsync(data);
            }

            // Fast path, no allocation: the kernel takes it all now.
            int sent = _socket.Send(data.Span, SocketFlags.None, out SocketError error);
            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                throw new SocketException((int)error);
            }

            sent = Math.Max(sent, 0);
            Interlocked.Add(ref Listener._bytesSent, sent);
            return sent == data.Length ? default : SendRestAsync(data[sent..]);
        }

        private async ValueTask SendRestAsync(ReadOnlyMemory<byte> data)
        {
            while (!data.IsEmpty)
            {
                int sent = await _socket.SendAsync(data, SocketFlags.None, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Add(ref Listener._bytesSent, sent);
                data = data[sent..];
            }
        }

        private async ValueTask SendTlsAsync(ReadOnlyMemory<byte> data)
        {
            await _tls!.WriteAsync(data, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Add(ref Listener._bytesSent, data.Length);
        }
    }
}
