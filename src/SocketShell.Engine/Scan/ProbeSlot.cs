using System.Net;
using System.Net.Sockets;

namespace SocketShell.Scan;

/// <summary>
/// One probe slot of a <see cref="PortScanner"/>: a reusable SocketAsyncEventArgs that runs one
/// non-blocking connect at a time. Its state word holds a generation and the attempt's state, so the
/// deadline sweep and cancellation can claim exactly the attempt they saw, and the completion knows
/// whether it was aborted (timed out, cancelled) or answered.
/// </summary>
internal sealed class ProbeSlot : SocketAsyncEventArgs
{
    private const long StateMask = 7;
    private const long Idle = 0;
    private const long Connecting = 1;
    private const long Done = 2;
    private const long TimedOut = 3;
    private const long Canceled = 4;

    /// <summary>
    /// A series attempt finished inline: its connect was seen complete right after it started, so the
    /// attempt was reported at once and the slot's role moved to another object; this one only waits
    /// for the connect's own (late) completion, then becomes a spare.
    /// </summary>
    private const long Inline = 5;

    private static readonly LingerOption s_resetOnClose = new(true, 0);

    private readonly PortScanner _owner;
    private readonly long _timeoutTicks;
    private readonly long _waitTicks;
    private readonly long _millisecondTicks;
    private readonly TimeProvider _time;
    private long _token = Idle;
    private long _deadline;
    private long _start;
    private int _handoff;
    private ScanJob? _afterTimeout;
    private Socket? _socket;
    private ScanJob? _job;

    public ProbeSlot(PortScanner owner, int index)
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        _owner = owner;
        Index = index;
        _time = owner.Time;
        _timeoutTicks = ToTimestampTicks(owner.Options.Timeout, _time.TimestampFrequency);
        _waitTicks = ToTimestampTicks(owner.Options.WaitTimeout, _time.TimestampFrequency);
        _millisecondTicks = _time.TimestampFrequency / 1000;
    }

    /// <summary>The slot's place in the scanner's slot array (the role this object holds).</summary>
    public int Index { get; set; }

    public bool HasSocket => Volatile.Read(ref _socket) is not null;

    public void Assign(ScanJob job) => _job = job;

    /// <summary>Runs jobs until one is pending (its completion continues the loop) or none is left.</summary>
    public void Run() => RunFrom(this, _job);

    /// <summary>
    /// The loop behind <see cref="Run"/>: attempts that end at once (refused on the spot, or a series
    /// attempt finished inline) go on here without a thread hop; the slot that carries on can change
    /// when an attempt finished inline hands its role to a spare.
    /// </summary>
    private static void RunFrom(ProbeSlot slot, ScanJob? job)
    {
        while (job is not null)
        {
            slot._job = job;
            if (!slot.Start(job, out ProbeOutcome outcome, out ProbeSlot? successor))
            {
                return; // OnCompleted carries on.
            }

            if (successor is not null)
            {
                successor._job = job;
                slot = successor;
            }

            job = slot.AfterEnd(job, outcome);
        }
    }

    /// <summary>Times out the attempt in flight if its deadline has passed.</summary>
    public void CheckDeadline(long now)
    {
        long token = Volatile.Read(ref _token);
        if ((token & StateMask) != Connecting || now < Volatile.Read(ref _deadline))
        {
            return;
        }

        // On a busy machine the answer can be waiting in the kernel while its completion waits for a
        // thread: a probe that was answered is not timed out (its completion reports it, a bit late).
        if (HasAnswer(Volatile.Read(ref _socket)))
        {
            return;
        }

        Claim(token, TimedOut);
    }

    /// <summary>Cancels the attempt in flight, if any.</summary>
    public void Abort()
    {
        long token = Volatile.Read(ref _token);
        if ((token & StateMask) == Connecting)
        {
            Claim(token, Canceled);
        }
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        // Claim the attempt for this completion before looking whether it was finished inline: the
        // starting thread may be claiming it at this very moment (TryFinishInline), and exactly one wins.
        long token = Volatile.Read(ref _token);
        if ((token & StateMask) == Connecting)
        {
            Interlocked.CompareExchange(ref _token, (token & ~StateMask) | Done, token);
        }

        if ((Volatile.Read(ref _token) & StateMask) == Inline)
        {
            // The late completion of an attempt already reported inline: its socket is closed, the
            // slot's role has moved on; this object is free for the next inline hand-over.
            _job = null;
            _owner.ReturnSpare(this);
            return;
        }

        ScanJob job = _job!;
        ProbeOutcome outcome = Finish();
        ScanJob? next = AfterEnd(job, outcome);
        if (next is not null)
        {
            RunFrom(this, next);
        }
    }

    private static bool HasAnswer(Socket? socket)
    {
        if (socket is null)
        {
            return false;
        }

        try
        {
            // A connect that ended is writable (accepted) or in error (refused, unreachable).
            return socket.Poll(0, SelectMode.SelectWrite) || socket.Poll(0, SelectMode.SelectError);
        }
        catch (ObjectDisposedException)
        {
            return true; // its completion is closing it right now
        }
        catch (SocketException)
        {
            return true; // in error: an answer of some kind, which the completion classifies
        }
    }

    /// <summary>The socket's local port from getsockname(2), or null when it cannot be read.</summary>
    private static unsafe int? LocalPort(Socket socket)
    {
        byte* address = stackalloc byte[128];
        uint length = 128;
        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            if (Interop.Libc.GetSockName((int)socket.SafeHandle.DangerousGetHandle(), address, &length) != 0 || length < 4)
            {
                return null;
            }
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }

        return (address[2] << 8) | address[3];
    }

    private static long ToTimestampTicks(TimeSpan span, long frequency) => (long)Math.Min(span.TotalSeconds * frequency, long.MaxValue / 4);

    private void Claim(long token, long newState)
    {
        // Read the socket before claiming: if the claim succeeds, the attempt it belongs to was still
        // connecting, so this is its socket (a later attempt's socket is written only after it ended).
        Socket? socket = Volatile.Read(ref _socket);
        ScanJob? job = _job;
        Volatile.Write(ref _handoff, 2);
        if (Interlocked.CompareExchange(ref _token, (token & ~StateMask) | newState, token) != token)
        {
            return;
        }

        socket?.Dispose(); // aborts the pending connect: its completion comes later, through the thread pool.
        if (newState != TimedOut || job is null)
        {
            return;
        }

        // Report the timeout now, from the sweep: the aborted connect's completion can be late when
        // the thread pool is busy, and the result must not be. The slot is reused only once both this
        // side and the completion are done (whichever is last carries on).
        _afterTimeout = _owner.Conclude(job, new ProbeOutcome(ProbeEndState.TimedOut, _time.GetElapsedTime(_start), SocketError.TimedOut));
        if (Interlocked.Decrement(ref _handoff) == 0)
        {
            ScanJob? next = _afterTimeout ?? _owner.ReleaseOrNext(this);
            if (next is not null)
            {
                _job = next;
                ThreadPool.UnsafeQueueUserWorkItem(static s => s.Run(), this, preferLocal: false);
            }
        }
    }

    /// <summary>What the completion side does when an attempt has ended: report it, or finish the sweep's hand-off.</summary>
    private ScanJob? AfterEnd(ScanJob job, ProbeOutcome outcome)
    {
        if (outcome.State != ProbeEndState.Swept)
        {
            return _owner.OnProbeEnded(this, job, outcome);
        }

        if (Interlocked.Decrement(ref _handoff) != 0)
        {
            return null; // the sweep is still reporting; it carries on
        }

        return _afterTimeout ?? _owner.ReleaseOrNext(this);
    }

    /// <summary>
    /// Starts an attempt; true when it already ended (then <paramref name="outcome"/> says how). When it
    /// ended inline with its connect still pending in the runtime, <paramref name="successor"/> is the
    /// slot object that takes over this one's role (this one waits for that completion).
    /// </summary>
    private bool Start(ScanJob job, out ProbeOutcome outcome, out ProbeSlot? successor)
    {
        successor = null;
        long now = _time.GetTimestamp();
        long deadline = now + _timeoutTicks;
        if (job.AddressIndex == 0)
        {
            job.AttemptStart = now;
            if (_owner.Options.Wait && job.WaitDeadline == 0)
            {
                job.WaitDeadline = now + _waitTicks;
            }
        }

        job.AttemptCut = false;
        if (_owner.Options.Wait)
        {
            long cut = Math.Max(job.WaitDeadline, now + _millisecondTicks);
            if (cut < deadline)
            {
                deadline = cut; // the wait ends first
                job.AttemptCut = true;
            }
        }

        IPAddress address = job.Addresses[job.AddressIndex];
        Socket socket;
        try
        {
            socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        catch (SocketException e)
        {
            outcome = new ProbeOutcome(ClassifyError(e.SocketErrorCode), TimeSpan.Zero, e.SocketErrorCode);
            return true;
        }
        catch (OutOfMemoryException)
        {
            outcome = new ProbeOutcome(ProbeEndState.LocalFailure, TimeSpan.Zero, SocketError.NoBufferSpaceAvailable);
            return true;
        }

        Volatile.Write(ref _socket, socket);
        if (RemoteEndPoint is not IPEndPoint last || last.Port != job.Port || !ReferenceEquals(last.Address, address))
        {
            RemoteEndPoint = new IPEndPoint(address, job.Port); // a series reuses its endpoint: no allocation per attempt
        }
        _start = now;
        Volatile.Write(ref _deadline, deadline);
        long generation = (Volatile.Read(ref _token) & ~StateMask) + (StateMask + 1);
        Interlocked.Exchange(ref _token, generation | Connecting); // full fence before the stop check below
        if (_owner.IsStopping)
        {
            Abort();
        }

        bool pending;
        try
        {
            pending = socket.ConnectAsync(this);
        }
        catch (ObjectDisposedException)
        {
            pending = false; // aborted before it began; Finish reads the claimed state.
        }
        catch (SocketException e)
        {
            SocketError = e.SocketErrorCode;
            pending = false;
        }
        catch (OutOfMemoryException)
        {
            // .NET reports a full event registration (descriptor or watch limits) this way: a local
            // shortage like EMFILE, retried like one, never allowed to take the host process down.
            SocketError = SocketError.NoBufferSpaceAvailable;
            pending = false;
        }

        if (pending)
        {
            if (_owner.SeriesInline && TryFinishInline(socket, job.Port, generation | Connecting, out outcome))
            {
                successor = _owner.TakeOver(this);
                return true;
            }

            outcome = default;
            return false;
        }

        outcome = Finish();
        return true;
    }

    /// <summary>
    /// A series attempt whose handshake is already complete when ConnectAsync returns (as on loopback,
    /// where the kernel finishes it inside the connect call) is finished here, without waiting for the
    /// runtime to pass the completion from its event thread to a pool thread (30-55 µs per attempt on
    /// the 2-core build machine): the latency then ends when the handshake was seen complete, not when a
    /// thread got round to it. Only a clean "connected" counts (writable, no error): anything else, or a
    /// sweep or cancellation that claimed the attempt first, goes the usual way through the completion.
    /// <paramref name="token"/> is the state word this attempt started with.
    /// </summary>
    private bool TryFinishInline(Socket socket, int port, long token, out ProbeOutcome outcome)
    {
        outcome = default;
        try
        {
            if (!socket.Poll(0, SelectMode.SelectWrite) || socket.Poll(0, SelectMode.SelectError))
            {
                return false;
            }

            // The runtime learns the local endpoint only at the completion (LocalEndPoint is null until
            // then), so the self-connect check reads the local port itself: a connection whose local port
            // is the destination port may be joined to itself, and goes the usual way to be told apart.
            if (LocalPort(socket) is not int local || local == port)
            {
                return false;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }

        // Exactly this attempt's state word (its generation): if the completion got here first, it may
        // already have started the slot's next attempt, which this must not claim.
        if (Interlocked.CompareExchange(ref _token, (token & ~StateMask) | Inline, token) != token)
        {
            return false; // the completion, the sweep or a stop got it first; the completion reports it
        }

        outcome = Close(socket, ProbeEndState.Open, _time.GetElapsedTime(_start), SocketError.Success);
        return true;
    }

    /// <summary>Decides how the attempt ended and closes its socket.</summary>
    private ProbeOutcome Finish()
    {
        TimeSpan elapsed = _time.GetElapsedTime(_start);
        long token = Volatile.Read(ref _token);
        long state = token & StateMask;
        if (state == Connecting && Interlocked.CompareExchange(ref _token, (token & ~StateMask) | Done, token) == token)
        {
            state = Done;
        }
        else
        {
            state = Volatile.Read(ref _token) & StateMask;
        }

        Socket socket = Volatile.Read(ref _socket)!;
        SocketError error = SocketError;
        ProbeEndState end;
        if (state == TimedOut)
        {
            end = ProbeEndState.Swept;
        }
        else if (state == Canceled)
        {
            end = ProbeEndState.Canceled;
        }
        else if (error == SocketError.Success)
        {
            end = ProbeEndState.Open;
        }
        else
        {
            end = ClassifyError(error);
        }

        return Close(socket, end, elapsed, error);
    }

    /// <summary>Reads what an open connection tells (self-connect, kernel RTT), then closes the socket or hands it on.</summary>
    private ProbeOutcome Close(Socket socket, ProbeEndState end, TimeSpan elapsed, SocketError error)
    {
        TimeSpan? kernelRtt = null;
        if (end == ProbeEndState.Open)
        {
            try
            {
                // A connect to a free port of this host can be joined to itself by TCP simultaneous
                // open (source port = destination port): nothing listens there, so it is Closed.
                if (socket.LocalEndPoint is IPEndPoint local && local.Equals(RemoteEndPoint))
                {
                    end = ProbeEndState.Closed;
                }

                if (end == ProbeEndState.Open && _owner.Options.IsSeries)
                {
                    kernelRtt = TcpHandshakeRtt.Read(socket);
                }

                socket.LingerState = s_resetOnClose; // close with RST: no TIME_WAIT left behind
            }
            catch (SocketException)
            {
                // The peer already reset it; the handshake did complete.
            }
        }

        Volatile.Write(ref _socket, null);
        if (end == ProbeEndState.Open && _owner.HasPostConnect)
        {
            return new ProbeOutcome(end, elapsed, error, socket, kernelRtt); // the post-connect stage closes it
        }

        socket.Dispose();
        return new ProbeOutcome(end, elapsed, error, null, kernelRtt);
    }

    private static ProbeEndState ClassifyError(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => ProbeEndState.Closed,
        SocketError.TimedOut => ProbeEndState.TimedOut,
        SocketError.OperationAborted => ProbeEndState.Canceled,
        SocketError.AddressNotAvailable or SocketError.NoBufferSpaceAvailable or SocketError.TooManyOpenSockets
            or SocketError.AddressAlreadyInUse => ProbeEndState.LocalFailure,
        _ => ProbeEndState.Unreachable,
    };
}
