using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SocketShell.Scan;

/// <summary>How one connect attempt ended.</summary>
internal enum ProbeEndState
{
    Open,
    Closed,
    TimedOut,
    Unreachable,
    Canceled,
    LocalFailure,
}

/// <summary>The end of one connect attempt.</summary>
internal readonly record struct ProbeOutcome(ProbeEndState State, TimeSpan Elapsed, SocketError Error);

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

    private static readonly LingerOption s_resetOnClose = new(true, 0);

    private readonly PortScanner _owner;
    private readonly long _timeoutTicks;
    private readonly long _waitTicks;
    private long _token = Idle;
    private long _deadline;
    private long _start;
    private Socket? _socket;
    private PortScanner.Job? _job;

    public ProbeSlot(PortScanner owner)
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        _owner = owner;
        _timeoutTicks = ToStopwatchTicks(owner.Options.Timeout);
        _waitTicks = ToStopwatchTicks(owner.Options.WaitTimeout);
    }

    public bool HasSocket => Volatile.Read(ref _socket) is not null;

    public void Assign(PortScanner.Job job) => _job = job;

    /// <summary>Runs jobs until one is pending (its completion continues the loop) or none is left.</summary>
    public void Run()
    {
        PortScanner.Job? job = _job;
        while (job is not null)
        {
            _job = job;
            if (!Start(job, out ProbeOutcome outcome))
            {
                return; // OnCompleted carries on.
            }

            job = _owner.OnProbeEnded(this, job, outcome);
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
        PortScanner.Job job = _job!;
        ProbeOutcome outcome = Finish();
        PortScanner.Job? next = _owner.OnProbeEnded(this, job, outcome);
        if (next is not null)
        {
            _job = next;
            Run();
        }
    }

    private static long ToStopwatchTicks(TimeSpan span) => (long)Math.Min(span.TotalSeconds * Stopwatch.Frequency, long.MaxValue / 4);

    private void Claim(long token, long newState)
    {
        // Read the socket before claiming: if the claim succeeds, the attempt it belongs to was still
        // connecting, so this is its socket (a later attempt's socket is written only after it ended).
        Socket? socket = Volatile.Read(ref _socket);
        if (Interlocked.CompareExchange(ref _token, (token & ~StateMask) | newState, token) == token)
        {
            socket?.Dispose(); // aborts the pending connect: OnCompleted runs with OperationAborted.
        }
    }

    /// <summary>Starts an attempt; true when it already ended (then <paramref name="outcome"/> says how).</summary>
    private bool Start(PortScanner.Job job, out ProbeOutcome outcome)
    {
        long now = Stopwatch.GetTimestamp();
        long deadline = now + _timeoutTicks;
        if (job.AddressIndex == 0)
        {
            job.AttemptStart = now;
            if (_owner.Options.Wait && job.WaitDeadline == 0)
            {
                job.WaitDeadline = now + _waitTicks;
            }
        }

        if (_owner.Options.Wait)
        {
            deadline = Math.Min(deadline, Math.Max(job.WaitDeadline, now + (Stopwatch.Frequency / 1000)));
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

        Volatile.Write(ref _socket, socket);
        RemoteEndPoint = new IPEndPoint(address, job.Port);
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

        if (pending)
        {
            outcome = default;
            return false;
        }

        outcome = Finish();
        return true;
    }

    /// <summary>Decides how the attempt ended and closes its socket.</summary>
    private ProbeOutcome Finish()
    {
        TimeSpan elapsed = Stopwatch.GetElapsedTime(_start);
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
            end = ProbeEndState.TimedOut;
        }
        else if (state == Canceled)
        {
            end = ProbeEndState.Canceled;
        }
        else if (error == SocketError.Success)
        {
            end = ProbeEndState.Open;
            try
            {
                // A connect to a free port of this host can be joined to itself by TCP simultaneous
                // open (source port = destination port): nothing listens there, so it is Closed.
                if (socket.LocalEndPoint is IPEndPoint local && local.Equals(RemoteEndPoint))
                {
                    end = ProbeEndState.Closed;
                }

                socket.LingerState = s_resetOnClose; // close with RST: no TIME_WAIT left behind
            }
            catch (SocketException)
            {
                // The peer already reset it; the handshake did complete.
            }
        }
        else
        {
            end = ClassifyError(error);
        }

        Volatile.Write(ref _socket, null);
        socket.Dispose();
        return new ProbeOutcome(end, elapsed, error);
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
