using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SocketShell.Interop;

namespace SocketShell.Listeners;

/// <summary>
/// Linux: serves a stream listener's plain connections (TCP or a Unix stream socket; not TLS, not Forward)
/// from one thread of its own that waits in epoll and does every accept, receive and send itself with
/// non-blocking calls. A message costs its receive and send system calls and nothing else: no
/// thread-pool hop per completion (the cost of the asynchronous path with default runtime settings),
/// no allocation, no exception on "would block".
/// <para>
/// One receive buffer serves every connection of the loop: data is handled (counted, kept, echoed,
/// answered) as soon as it is read. When an echo or reply does not fit in the kernel's send buffer
/// (a peer that does not read), only the rest is copied to a pooled buffer of that connection, the
/// connection waits for EPOLLOUT and is not read until the rest is sent (backpressure, as socat does).
/// An idle connection holds a small object and its descriptor, no buffer.
/// </para>
/// <para>
/// Time is the options' clock (<see cref="ListenerOptions.TimeProvider"/>): each batch of events reads its
/// timestamp once, and the idle timeout is a timer of that clock (<see cref="IdleSchedule"/>) that wakes the
/// loop through its eventfd, so epoll_wait itself waits without a timeout (except while accepting is
/// paused for want of descriptors, a back-off measured on the system's tick count).
/// </para>
/// Everything here runs on the loop thread, except <see cref="RequestStop"/>.
/// </summary>
internal sealed unsafe class StreamEventLoop
{
    private const ulong WakeKey = ulong.MaxValue;
    private const ulong ListenKey = ulong.MaxValue - 1;
    private const int MaxEvents = 256;
    private const int AcceptBatch = 64;
    private const int ReadsPerEvent = 4;
    private const int AcceptBackOffMs = 50;
    private const int AddressSize = 128; // sizeof(struct sockaddr_storage)

    /// <summary>The loop's one receive buffer, shared by all its connections (so it can be larger than a per-connection one).</summary>
    internal const int ReceiveBufferSize = 256 * 1024;

    private readonly SocketListener _listener;
    private readonly ListenerOptions _options;
    private readonly Socket _listen;
    private readonly Func<int> _nextId;
    private readonly int _index;
    private readonly bool _shared;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _wakeGate = new();
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize, pinned: true);
    private readonly ListenerMode _mode;
    private readonly bool _keep;
    private readonly bool _unix;
    private readonly TimeProvider _time;
    private readonly IdleSchedule? _idle;
    private Connection?[] _byFd = new Connection?[256];
    private int _epoll = -1;
    private int _wake = -1;
    private int _listenFd = -1;
    private volatile bool _stop;
    private long _acceptPausedUntil;
    private ITimer? _idleTimer;
    private bool _idleArmed;
    private long _idleLookAt;
    private volatile bool _idleDue;

    /// <param name="listener">The listener whose counters and capture the loop feeds.</param>
    /// <param name="options">Its options.</param>
    /// <param name="listen">The bound, listening socket (the loop accepts on it, non-blocking).</param>
    /// <param name="nextId">Connection numbers, shared by the loops of one listener.</param>
    /// <param name="index">The loop's number among the listener's loops (for its thread name).</param>
    /// <param name="shared">Several loops accept on the socket (EPOLLEXCLUSIVE: one of them is woken per connection).</param>
    public StreamEventLoop(SocketListener listener, ListenerOptions options, Socket listen, Func<int> nextId, int index, bool shared)
    {
        _listener = listener;
        _options = options;
        _listen = listen;
        _nextId = nextId;
        _index = index;
        _shared = shared;
        _mode = options.Mode;
        _keep = options.Mode != ListenerMode.Discard;
        _unix = listen.AddressFamily == AddressFamily.Unix;
        _time = options.TimeProvider;
        _idle = IdleSchedule.Of(options);
    }

    /// <summary>Completes when the loop has ended and closed every connection (faulted when the listening socket failed).</summary>
    public Task Completion => _done.Task;

    /// <summary>Starts the loop thread.</summary>
    public Task Start()
    {
        _epoll = Libc.EpollCreate1(Libc.EpollCloseOnExec);
        if (_epoll < 0)
        {
            _done.TrySetResult();
            throw Failure("epoll_create1", Marshal.GetLastPInvokeError());
        }

        _wake = Libc.EventFd(0, Libc.EventFdNonBlockCloseOnExec);
        if (_wake < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            Libc.Close(_epoll);
            _done.TrySetResult();
            throw Failure("eventfd", error);
        }

        // accept4 on this descriptor must never block the loop.
        _listen.Blocking = false;
        var thread = new Thread(Run, 256 * 1024)
        {
            IsBackground = true,
            Name = $"SocketShell loop {_index} {_listener.Name}",
        };
        thread.Start();
        return _done.Task;
    }

    /// <summary>Asks the loop to close every connection and end (any thread, any number of times).</summary>
    public void RequestStop()
    {
        _stop = true;
        Wake();
    }

    /// <summary>The idle timer fell due (the clock's timer thread, or the thread that advances a manual clock).</summary>
    private void IdleDue()
    {
        _idleDue = true;
        Wake();
    }

    private void Wake()
    {
        lock (_wakeGate)
        {
            if (_wake >= 0)
            {
                ulong one = 1;
                Libc.Write(_wake, &one, sizeof(ulong));
            }
        }
    }

    private void Run()
    {
        bool referenced = false;
        byte* events = null;
        Exception? failure = null;
        try
        {
            // The listening descriptor stays valid while the loop uses it, whoever disposes the Socket.
            _listen.SafeHandle.DangerousAddRef(ref referenced);
            _listenFd = (int)_listen.SafeHandle.DangerousGetHandle();
            events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * Libc.EpollEventSize));
            Control(Libc.EpollCtlAdd, _wake, Libc.EpollIn, WakeKey);
            WatchListen();
            while (!_stop)
            {
                int n = Libc.EpollWait(_epoll, events, MaxEvents, AcceptPauseLeft());
                if (n < 0)
                {
                    int error = Marshal.GetLastPInvokeError();
                    if (error == Libc.EIntr)
                    {
                        continue;
                    }

                    throw Failure("epoll_wait", error);
                }

                long now = _time.GetTimestamp();
                for (int i = 0; i < n && !_stop; i++)
                {
                    byte* e = events + (i * Libc.EpollEventSize);
                    uint flags = *(uint*)e;
                    ulong key = Unsafe.ReadUnaligned<ulong>(e + Libc.EpollDataOffset);
                    if (key == WakeKey)
                    {
                        ulong count;
                        Libc.Read(_wake, &count, sizeof(ulong));
                    }
                    else if (key == ListenKey)
                    {
                        Accept(now);
                    }
                    else if ((int)key < _byFd.Length && _byFd[(int)key] is { } c)
                    {
                        // Events of a descriptor closed earlier in this batch (and perhaps reused) are
                        // harmless: a receive or send that has nothing to do returns EAGAIN.
                        if (c.PendingLength > 0)
                        {
                            Flush(c);
                        }
                        else if ((flags & (Libc.EpollIn | Libc.EpollErr | Libc.EpollHup)) != 0)
                        {
                            Read(c, now);
                        }
                    }
                }

                if (_idleDue && !_stop)
                {
                    _idleDue = false;
                    CloseIdle(_idle!);
                }

                if (_acceptPausedUntil != 0 && Environment.TickCount64 >= _acceptPausedUntil)
                {
                    _acceptPausedUntil = 0;
                    WatchListen();
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            _idleTimer?.Dispose();
            foreach (Connection? c in _byFd)
            {
                if (c is not null)
                {
                    Close(c);
                }
            }

            lock (_wakeGate)
            {
                Libc.Close(_wake);
                _wake = -1;
            }

            Libc.Close(_epoll);
            _epoll = -1;
            if (events is not null)
            {
                NativeMemory.Free(events);
            }

            if (referenced)
            {
                _listen.SafeHandle.DangerousRelease();
            }

            if (failure is null)
            {
                _done.TrySetResult();
            }
            else
            {
                _done.TrySetException(failure);
            }
        }
    }

    /// <summary>epoll_wait's timeout: none (-1), or the milliseconds left of a pause of accepting.</summary>
    private int AcceptPauseLeft() =>
        _acceptPausedUntil == 0 ? -1 : (int)Math.Max(0, _acceptPausedUntil - Environment.TickCount64);

    private void Accept(long now)
    {
        byte* address = stackalloc byte[AddressSize];
        for (int i = 0; i < AcceptBatch; i++)
        {
            uint length = AddressSize;
            int fd = Libc.Accept4(_listenFd, address, &length, Libc.SockNonBlockCloseOnExec);
            if (fd < 0)
            {
                int error = Marshal.GetLastPInvokeError();
                switch (error)
                {
                    case Libc.EAgain:
                        return;
                    case Libc.EIntr or Libc.EConnAborted or Libc.EProto:
                        continue; // the client went away before we took it
                    case Libc.EMFile or Libc.ENFile or Libc.ENoBufs or Libc.ENoMem:
                        // Out of descriptors: stop accepting for a moment instead of spinning; closing connections free some.
                        _acceptPausedUntil = Environment.TickCount64 + AcceptBackOffMs;
                        Control(Libc.EpollCtlDel, _listenFd, 0, ListenKey);
                        return;
                    default:
                        throw Failure("accept4", error);
                }
            }

            if (Interlocked.Increment(ref _listener._active) > _options.MaxConnections)
            {
                Interlocked.Decrement(ref _listener._active);
                Interlocked.Increment(ref _listener._rejected);
                Libc.Close(fd);
                continue;
            }

            Interlocked.Increment(ref _listener._connectionCount);
            IPEndPoint? remote = null;
            if (!_unix)
            {
                int one = 1;
                Libc.SetSockOpt(fd, Libc.IpProtoTcp, Libc.TcpNoDelay, &one, sizeof(int));
                if (_keep)
                {
                    remote = PeerAddress(address, length);
                }
            }

            var c = new Connection(fd, _nextId(), remote, now);
            if (fd >= _byFd.Length)
            {
                Array.Resize(ref _byFd, Math.Max(fd + 1, _byFd.Length * 2));
            }

            _byFd[fd] = c;
            if (!TryControl(Libc.EpollCtlAdd, fd, Libc.EpollIn, (ulong)fd))
            {
                Close(c);
                continue;
            }

            if (_idle is not null && !_idleArmed)
            {
                ArmIdle(now, _idle.NextLook(now, _idle.Deadline(now), long.MinValue));
            }

            if (_options.Banner is { Length: > 0 } banner)
            {
                // Nothing is read before the banner is out (a banner that does not fit waits for EPOLLOUT).
                Send(c, banner);
            }
        }
    }

    private void Read(Connection c, long now)
    {
        for (int round = 0; round < ReadsPerEvent; round++)
        {
            nint got;
            fixed (byte* b = _buffer)
            {
                got = Libc.Recv(c.Fd, b, _buffer.Length, 0);
            }

            if (got > 0)
            {
                int length = (int)got;
                c.LastActivity = now;
                Interlocked.Add(ref _listener._bytesReceived, length);
                ReadOnlySpan<byte> data = _buffer.AsSpan(0, length);
                if (_keep)
                {
                    _listener.Keep(data, c.Id, c.Remote, wholeOnly: false);
                }

                if (_mode == ListenerMode.Echo)
                {
                    if (!Send(c, data))
                    {
                        return;
                    }
                }
                else if (_mode == ListenerMode.Reply)
                {
                    bool sent = Send(c, _options.Response!);
                    if (_options.CloseAfterReply)
                    {
                        if (sent)
                        {
                            Close(c);
                        }
                        else
                        {
                            c.CloseWhenDrained = true;
                        }

                        return;
                    }

                    if (!sent)
                    {
                        return;
                    }
                }

                if (length < _buffer.Length)
                {
                    return; // drained what was there; epoll tells when there is more
                }

                continue;
            }

            if (got == 0)
            {
                Close(c); // the peer finished sending: graceful end
                return;
            }

            int error = Marshal.GetLastPInvokeError();
            if (error == Libc.EAgain)
            {
                return;
            }

            if (error != Libc.EIntr)
            {
                Close(c); // reset by the peer
                return;
            }
        }
    }

    /// <summary>Sends <paramref name="data"/>; false when the connection is closed or waits to send the rest (not to be read meanwhile).</summary>
    private bool Send(Connection c, ReadOnlySpan<byte> data)
    {
        int offset = 0;
        while (offset < data.Length)
        {
            nint sent;
            fixed (byte* p = data)
            {
                sent = Libc.Send(c.Fd, p + offset, data.Length - offset, Libc.MsgNoSignal);
            }

            if (sent >= 0)
            {
                offset += (int)sent;
                if (offset < data.Length)
                {
                    break; // the send buffer is full: the next try would say EAGAIN
                }

                continue;
            }

            int error = Marshal.GetLastPInvokeError();
            if (error == Libc.EIntr)
            {
                continue;
            }

            if (error == Libc.EAgain)
            {
                break;
            }

            Count(offset);
            Close(c);
            return false;
        }

        Count(offset);
        if (offset == data.Length)
        {
            return true;
        }

        // Keep the rest, stop reading, and wait until the peer makes room.
        ReadOnlySpan<byte> rest = data[offset..];
        c.Pending = ArrayPool<byte>.Shared.Rent(rest.Length);
        rest.CopyTo(c.Pending);
        c.PendingOffset = 0;
        c.PendingLength = rest.Length;
        if (!TryControl(Libc.EpollCtlMod, c.Fd, Libc.EpollOut, (ulong)c.Fd))
        {
            Close(c);
        }

        return false;
    }

    /// <summary>EPOLLOUT on a connection with a parked rest: sends what fits; reading resumes once all of it is out.</summary>
    private void Flush(Connection c)
    {
        while (c.PendingLength > 0)
        {
            nint sent;
            fixed (byte* p = c.Pending)
            {
                sent = Libc.Send(c.Fd, p + c.PendingOffset, c.PendingLength, Libc.MsgNoSignal);
            }

            if (sent >= 0)
            {
                Count((int)sent);
                c.PendingOffset += (int)sent;
                c.PendingLength -= (int)sent;
                if (c.PendingLength > 0)
                {
                    return;
                }

                break;
            }

            int error = Marshal.GetLastPInvokeError();
            if (error == Libc.EAgain)
            {
                return;
            }

            if (error != Libc.EIntr)
            {
                Close(c);
                return;
            }
        }

        ArrayPool<byte>.Shared.Return(c.Pending!);
        c.Pending = null;
        if (c.CloseWhenDrained)
        {
            Close(c);
        }
        else if (!TryControl(Libc.EpollCtlMod, c.Fd, Libc.EpollIn, (ulong)c.Fd))
        {
            Close(c);
        }
    }

    private void Count(int sent)
    {
        if (sent > 0)
        {
            Interlocked.Add(ref _listener._bytesSent, sent);
        }
    }

    /// <summary>Ends a connection: a FIN, not a reset (the peer reads the end of the stream), then the descriptor is closed.</summary>
    private void Close(Connection c)
    {
        int fd = c.Fd;
        if (fd < 0)
        {
            return;
        }

        c.Fd = -1;
        Libc.Shutdown(fd, Libc.ShutReadWrite);
        Libc.Close(fd); // also leaves the epoll set
        _byFd[fd] = null;
        if (c.Pending is { } pending)
        {
            ArrayPool<byte>.Shared.Return(pending);
            c.Pending = null;
            c.PendingLength = 0;
        }

        Interlocked.Decrement(ref _listener._active);
    }

    /// <summary>Closes the connections idle now, and arms the idle timer for the earliest deadline of the others.</summary>
    private void CloseIdle(IdleSchedule idle)
    {
        _idleArmed = false;
        long now = _time.GetTimestamp(); // not the batch's: the timer may have fired after it was read
        long earliest = long.MaxValue;
        foreach (Connection? c in _byFd)
        {
            if (c is null)
            {
                continue;
            }

            if (idle.IsIdle(now, c.LastActivity))
            {
                Close(c);
            }
            else
            {
                earliest = Math.Min(earliest, idle.Deadline(c.LastActivity));
            }
        }

        if (earliest != long.MaxValue)
        {
            ArmIdle(now, idle.NextLook(now, earliest, _idleLookAt));
        }
    }

    private void ArmIdle(long now, long at)
    {
        _idleTimer ??= _time.CreateTimer(static state => ((StreamEventLoop)state!).IdleDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _idleTimer.Change(_idle!.DueIn(now, at), Timeout.InfiniteTimeSpan);
        _idleLookAt = at;
        _idleArmed = true;
    }

    private void WatchListen()
    {
        // Before Linux 4.5 EPOLLEXCLUSIVE is refused: every loop is woken then, and the first accept4 wins.
        if (!_shared || !TryControl(Libc.EpollCtlAdd, _listenFd, Libc.EpollIn | Libc.EpollExclusive, ListenKey))
        {
            Control(Libc.EpollCtlAdd, _listenFd, Libc.EpollIn, ListenKey);
        }
    }

    private void Control(int op, int fd, uint events, ulong key)
    {
        if (!TryControl(op, fd, events, key))
        {
            throw Failure("epoll_ctl", Marshal.GetLastPInvokeError());
        }
    }

    private bool TryControl(int op, int fd, uint events, ulong key)
    {
        byte* e = stackalloc byte[16];
        *(uint*)e = events;
        Unsafe.WriteUnaligned(e + Libc.EpollDataOffset, key);
        return Libc.EpollCtl(_epoll, op, fd, e) == 0;
    }

    /// <summary>The client's address from accept4 (IPv4-mapped IPv6 shown as IPv4, as the asynchronous path does).</summary>
    private static IPEndPoint PeerAddress(byte* address, uint length)
    {
        ushort family = *(ushort*)address;
        int port = (address[2] << 8) | address[3];
        if (family == Libc.AfInet && length >= 8)
        {
            return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(address + 4, 4)), port);
        }

        if (family == Libc.AfInet6 && length >= 28)
        {
            var ip = new IPAddress(new ReadOnlySpan<byte>(address + 8, 16), *(uint*)(address + 24));
            return new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, port);
        }

        return new IPEndPoint(IPAddress.None, 0);
    }

    private static SocketShellException Failure(string call, int error) =>
        new(SocketErrorKind.Unknown, $"The listener's event loop failed: {call}: {Marshal.GetPInvokeErrorMessage(error)} (errno {error}).");

    /// <summary>One accepted connection: its descriptor and, only while a send waits for room, the rest to send.</summary>
    private sealed class Connection(int fd, int id, IPEndPoint? remote, long now)
    {
        public int Fd = fd;
        public readonly int Id = id;
        public readonly IPEndPoint? Remote = remote;
        public long LastActivity = now;
        public byte[]? Pending;
        public int PendingOffset;
        public int PendingLength;
        public bool CloseWhenDrained;
    }
}
