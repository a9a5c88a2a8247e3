using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using SocketShell.Common;
using SocketShell.Ports;

namespace SocketShell.Scan;

/// <summary>
/// A TCP connect scan over many hosts and ports: a fixed number of probe slots (the throttle limit),
/// each a reusable <see cref="System.Net.Sockets.SocketAsyncEventArgs"/> doing non-blocking connects,
/// one timer that sweeps deadlines (no timer per probe), results handed to a callback the moment each
/// probe ends. Targets can be added while the scan runs (pipeline input); <see cref="Complete"/> says
/// no more will come. Cancellation closes every in-flight socket at once.
/// </summary>
/// <remarks>
/// Each name is resolved once per scan. Without <see cref="PortScanOptions.AllAddresses"/> a port is
/// tried on the name's addresses in the resolver's order until one completes the handshake; the one
/// result is that Open probe, or, when none opens, the first refusal (Closed), or else the first
/// address's failure. An address "answers" only by completing the handshake, so <c>localhost</c> finds a
/// service on 127.0.0.1 even when ::1 comes first and refuses.
/// </remarks>
public sealed class PortScanner : IPortScan
{
    private const int MaxLocalRetries = 200;

    private readonly object _gate = new();
    private readonly PortScanOptions _options;
    private readonly TimeProvider _time;
    private readonly long _localRetryTicks; // 10 ms
    private readonly Action<long, PortStatus> _onResult;
    private readonly Action<SocketShellException>? _onNameNotResolved;
    private readonly Action<long, PortStatus>? _onAttempt;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenRegistration _stopRegistration;
    private readonly Dictionary<string, NameEntry> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly ScanQueues _queues;
    private readonly ProbeSlot[] _slots;
    private readonly Stack<ProbeSlot> _idle;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ServiceDatabase _services = ServiceDatabase.System;
    private readonly Stack<ProbeSlot> _parked = new();
    private readonly Stack<ProbeSlot> _spares = new();
    private readonly ITimer? _intervalTimer;
    private long _intervalTimerDue = long.MaxValue;
    private int _retired;
    private int _stageSockets;
    private int _pendingResolutions;
    private bool _completeCalled;
    private bool _finished;
    private long _nextPair;
    private Exception? _fault;
    private volatile bool _stopping;

    /// <summary>Starts a scan that takes targets through <see cref="Add"/>.</summary>
    /// <param name="options">How to probe.</param>
    /// <param name="onResult">Called once per result (from a thread-pool thread, possibly several at once) with the pair index <see cref="Add"/> gave and the result.</param>
    /// <param name="onNameNotResolved">Called once per name that does not resolve, before its HostNotFound results.</param>
    /// <param name="cancellationToken">Stops every in-flight probe at once.</param>
    /// <param name="onAttempt">With <see cref="PortScanOptions.Wait"/>: called after every attempt, including the last.</param>
    public PortScanner(
        PortScanOptions options,
        Action<long, PortStatus> onResult,
        Action<SocketShellException>? onNameNotResolved,
        CancellationToken cancellationToken,
        Action<long, PortStatus>? onAttempt = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onResult);
        options.Validate();
        _options = new PortScanOptions
        {
            Timeout = options.Timeout,
            ThrottleLimit = Math.Min(options.ThrottleLimit, PortScanOptions.MaxThrottleLimit()),
            AddressFamily = options.AddressFamily,
            AllAddresses = options.AllAddresses,
            Wait = options.Wait,
            WaitTimeout = options.WaitTimeout,
            RetryInterval = options.RetryInterval,
            PostConnect = options.PostConnect is { IsActive: true } post ? post.Clone() : null,
            Count = options.Count,
            Continuous = options.Continuous,
            Interval = options.Interval,
            Resolver = options.Resolver,
            TimeProvider = options.TimeProvider,
        };
        _time = _options.TimeProvider;
        SeriesInline = _options.IsSeries && _options.PostConnect is null && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD());
        _localRetryTicks = _time.TimestampFrequency / 100;
        _onResult = onResult;
        _onNameNotResolved = onNameNotResolved;
        _onAttempt = onAttempt;
        _queues = new ScanQueues(_options.AllAddresses);
        _callerToken = cancellationToken;
        _slots = new ProbeSlot[_options.ThrottleLimit];
        _idle = new Stack<ProbeSlot>(_slots.Length);
        for (int i = _slots.Length - 1; i >= 0; i--)
        {
            _slots[i] = new ProbeSlot(this, i);
            _idle.Push(_slots[i]);
        }

        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Deadlines are checked by one periodic sweep: 1/100 of the timeout (1% late at most, plus
        // scheduling), between 1 ms and 10 ms.
        SweepInterval = TimeSpan.FromTicks(Math.Clamp(_options.Timeout.Ticks / 100, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerMillisecond * 10));
        DeadlineSweeper.Register(this);
        if (_options.IsSeries && _options.Interval > TimeSpan.Zero)
        {
            // A series' next attempt starts on a timer of the scan's clock set for its due time, not at the
            // next deadline sweep (every 1-10 ms): the sweep stays as the backstop.
            _intervalTimer = _time.CreateTimer(static s => ((PortScanner)s!).OnIntervalTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        _stopRegistration = _stop.Token.UnsafeRegister(static s => ((PortScanner)s!).AbortAll(), this);
    }

    /// <summary>Ends when every probe has ended and <see cref="Complete"/> was called; cancelled or faulted like the scan.</summary>
    public Task Completion => _completion.Task;

    internal PortScanOptions Options => _options;

    internal bool IsStopping => _stopping;

    /// <summary>The scan's clock (<see cref="PortScanOptions.TimeProvider"/>).</summary>
    internal TimeProvider Time => _time;

    /// <summary>Whether open sockets go on to the post-connect stage instead of being closed at once.</summary>
    internal bool HasPostConnect => _options.PostConnect is not null;

    /// <summary>
    /// Whether a series attempt whose connect is complete when ConnectAsync returns is finished on the
    /// spot (see ProbeSlot.TryFinishInline). Not with a post-connect stage: the stage needs a socket the
    /// runtime already knows as connected, which only its completion makes it. Unix only (the inline
    /// finish reads the local port with getsockname(2); elsewhere every attempt ends through its completion).
    /// </summary>
    internal bool SeriesInline { get; }

    /// <summary>How many probes this scan really runs at once (the requested limit, capped by <see cref="PortScanOptions.MaxThrottleLimit"/>).</summary>
    public int ThrottleLimit => _slots.Length;

    internal TimeSpan SweepInterval { get; }

    /// <summary>The sockets currently open by this scan (for tests: zero once it has finished).</summary>
    public int OpenSockets => _slots.Count(s => s.HasSocket) + Volatile.Read(ref _stageSockets);

    /// <summary>
    /// Scans <paramref name="computerNames"/> × <paramref name="ports"/> and yields each result as it completes.
    /// </summary>
    public static async IAsyncEnumerable<PortStatus> ScanAsync(
        IEnumerable<string> computerNames,
        IReadOnlyList<int> ports,
        PortScanOptions options,
        Action<SocketShellException>? onNameNotResolved = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(computerNames);
        ArgumentNullException.ThrowIfNull(ports);
        var channel = Channel.CreateUnbounded<PortStatus>(new UnboundedChannelOptions { SingleReader = true });
        using var scanner = new PortScanner(options, (_, s) => channel.Writer.TryWrite(s), onNameNotResolved, cancellationToken);
        foreach (string name in computerNames)
        {
            scanner.Add(name, ports);
        }

        scanner.Complete();
        _ = scanner.Completion.ContinueWith(
            t => channel.Writer.TryComplete(t.Exception?.InnerException ?? (t.IsCanceled ? new OperationCanceledException(cancellationToken) : null)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        await foreach (PortStatus status in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            yield return status;
        }
    }

    /// <summary>
    /// Adds <paramref name="computerName"/> × <paramref name="ports"/>. Returns the index of the first
    /// (name, port) pair; the pairs of this call are numbered on from it in port order, across calls.
    /// </summary>
    public long Add(string computerName, IReadOnlyList<int> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        string name = Common.HostNameRules.Validate(computerName);
        foreach (int p in ports)
        {
            if (p is < 1 or > 65535)
            {
                throw new SocketShellException(SocketErrorKind.InvalidPort, $"The port {p} is not a destination port: it must be from 1 to 65535.", EndPointText.Format(name, p));
            }
        }

        var request = new ScanRequest(name, [.. ports]);
        NameEntry entry;
        lock (_gate)
        {
            if (_completeCalled)
            {
                throw new InvalidOperationException("Complete() was already called.");
            }

            request.BasePair = _nextPair;
            _nextPair += request.Ports.Length;
            if (request.Ports.Length == 0)
            {
                return request.BasePair;
            }

            _pendingResolutions++;
            if (!_names.TryGetValue(name, out entry!))
            {
                entry = new NameEntry(_options.Resolver(name, _options.AddressFamily, _stop.Token));
                _names.Add(name, entry);
            }
        }

        if (entry.Resolution.IsCompleted)
        {
            OnResolved(request, entry);
        }
        else
        {
            entry.Resolution.ContinueWith(
                (_, s) => OnResolved(request, (NameEntry)s!),
                entry, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return request.BasePair;
    }

    /// <summary>Says no more targets will be added; <see cref="Completion"/> ends when the last probe does.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completeCalled = true;
        }

        CheckFinished();
    }

    /// <summary>Stops the scan (if still running) and releases the timer.</summary>
    public void Dispose()
    {
        if (!_completion.Task.IsCompleted)
        {
            AbortAll();
        }

        _stopRegistration.Dispose();
        DeadlineSweeper.Unregister(this);
        _intervalTimer?.Dispose();
        _stop.Dispose();
    }

    private void OnResolved(ScanRequest request, NameEntry entry)
    {
        Task<IPAddress[]> t = entry.Resolution;
        try
        {
            if (t.IsCompletedSuccessfully)
            {
                request.Addresses = t.Result;
                lock (_gate)
                {
                    _pendingResolutions--;
                    _queues.AddReady(request);
                }

                Pump();
                return;
            }

            if (t.IsCanceled || _stopping)
            {
                lock (_gate)
                {
                    _pendingResolutions--;
                }

                CheckFinished();
                return;
            }

            Exception error = t.Exception!.InnerException!;
            if (error is not SocketShellException sse)
            {
                sse = new SocketShellException(SocketErrorKind.HostNotFound, $"The name '{request.Name}' could not be resolved: {error.Message}", request.Name, error);
            }

            if (Interlocked.Exchange(ref entry.Reported, 1) == 0)
            {
                _onNameNotResolved?.Invoke(sse);
            }

            for (int i = 0; i < request.Ports.Length && !_stopping; i++)
            {
                var status = new PortStatus
                {
                    ComputerName = request.Name,
                    Port = request.Ports[i],
                    Status = PortState.HostNotFound,
                    Service = _services.LookupFirst(request.Ports[i], PortProtocol.Tcp),
                };
                if (_options.Wait)
                {
                    _onAttempt?.Invoke(request.BasePair + i, status);
                }

                _onResult(request.BasePair + i, status);
            }

            lock (_gate)
            {
                _pendingResolutions--;
            }

            CheckFinished();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lock (_gate)
            {
                _pendingResolutions--;
            }

            Fault(e);
        }
    }

    /// <summary>Hands jobs to idle slots; the connects start on thread-pool threads, never on the caller's.</summary>
    private void Pump()
    {
        while (true)
        {
            ProbeSlot slot;
            ScanJob? job;
            lock (_gate)
            {
                if (_idle.Count == 0)
                {
                    return;
                }

                job = NextJobLocked();
                if (job is null)
                {
                    break;
                }

                slot = _idle.Pop();
            }

            slot.Assign(job);
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Run(), slot, preferLocal: false);
        }

        CheckFinished();
    }

    private ScanJob? NextJobLocked()
    {
        if (_stopping)
        {
            return null;
        }

        return _queues.Next();
    }

    /// <summary>Called by a slot when its job has a result (or must be tried again); returns the slot's next job.</summary>
    internal ScanJob? OnProbeEnded(ProbeSlot slot, ScanJob job, ProbeOutcome outcome)
    {
        // Canceled without a stop cannot come from this scan's own aborts: treat it as a local hiccup.
        if (!_stopping && outcome.State is ProbeEndState.LocalFailure or ProbeEndState.Canceled)
        {
            // Out of local resources (descriptors, ephemeral ports, buffers): not an answer about the
            // port. The job is tried again shortly, and this slot leaves the scan, so concurrency
            // shrinks to what the machine allows instead of spinning (the last slot only pauses).
            // The scan fails only if one probe keeps failing for about two seconds.
            if (++job.LocalRetries > MaxLocalRetries)
            {
                Fault(new SocketShellException(SocketErrorKind.Unknown, $"Probes keep failing for lack of local resources ({outcome.Error}); lower ThrottleLimit or raise the open-file limit.", EndPointText.Format(job.Request.Name, job.Port), null));
                lock (_gate)
                {
                    _idle.Push(slot);
                }

                CheckFinished();
                return null;
            }

            lock (_gate)
            {
                job.Reset();
                _queues.Delay(job, _time.GetTimestamp() + _localRetryTicks);
                if (_slots.Length - _retired - _idle.Count - _parked.Count > 1)
                {
                    _retired++;
                }
                else
                {
                    _parked.Push(slot);
                }
            }

            CheckFinished(); // a stop may have come meanwhile
            return null;
        }

        if (outcome.Connected is not null)
        {
            _ = RunPostConnectAsync(slot, job, outcome);
            return null; // the slot stays busy until the stage ends
        }

        return Conclude(job, outcome) ?? ReleaseOrNext(slot);
    }

    /// <summary>Runs the post-connect stage on an open socket, then reports and moves the slot on.</summary>
    private async Task RunPostConnectAsync(ProbeSlot slot, ScanJob job, ProbeOutcome outcome)
    {
        Interlocked.Increment(ref _stageSockets);
        PortStatus status = StatusOf(job, outcome);
        try
        {
            await PostConnectStage.RunAsync(outcome.Connected!, status, _options.PostConnect!, _options.Timeout, _time, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The scan is stopping: Conclude reports nothing.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fault(e);
        }
        finally
        {
            outcome.Connected!.Dispose();
            Interlocked.Decrement(ref _stageSockets);
        }

        ScanJob? next = Conclude(job, outcome with { Connected = null }, status) ?? ReleaseOrNext(slot);
        if (next is not null)
        {
            slot.Assign(next);
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Run(), slot, preferLocal: false);
        }
    }

    /// <summary>
    /// Reports the job's result, or schedules its retry; returns the job itself when it goes on at once
    /// on the same slot (its next address), else null.
    /// </summary>
    internal ScanJob? Conclude(ScanJob job, ProbeOutcome outcome, PortStatus? prepared = null)
    {
        if (_stopping)
        {
            return null;
        }

        PortStatus status = prepared ?? StatusOf(job, outcome);
        bool answered = status.Status == PortState.Open;
        if (!answered)
        {
            // Keep the most telling failure: a refusal beats silence; otherwise the first address's.
            job.Best = AddressFallback.MoreTelling(job.Best, FailureRank(job.Best), status, FailureRank(status), FallbackTie.Earlier);
            if (AddressFallback.TriesNext(answered, job.AddressIndex, job.Addresses.Length))
            {
                job.AddressIndex++;
                return job; // same slot, next address
            }

            status = job.Best;
        }

        status.Service = _services.LookupFirst(status.Port, PortProtocol.Tcp);
        try
        {
            if (_options.Wait)
            {
                _onAttempt?.Invoke(job.Pair, status);
                if (job.AttemptCut && status.Status == PortState.TimedOut && job.LastFullAttempt is not null)
                {
                    // The wait ended during this attempt: its silence says less than the last attempt
                    // that had its whole Timeout, so that one is the final result.
                    status = job.LastFullAttempt;
                }
                else
                {
                    job.LastFullAttempt = status;
                }

                long now = _time.GetTimestamp();
                long due = Math.Max(now, job.AttemptStart + (long)(_options.RetryInterval.TotalSeconds * _time.TimestampFrequency));

                if (!status.Open && now < job.WaitDeadline)
                {
                    // A retry that could only start at or after the end of the wait would run past it: then
                    // the job just sleeps until the wait ends and reports its last attempt (see SweepCore).
                    due = Math.Min(due, job.WaitDeadline);
                    job.Reset();
                    job.Attempt++;
                    lock (_gate)
                    {
                        _queues.Delay(job, due);
                    }

                    return null;
                }
            }

            _onResult(job.Pair, status);
            if (_options.IsSeries && (_options.Continuous || job.Attempt < _options.Count) && !_stopping)
            {
                // The next attempt of a latency series: a new connection, Interval after this one began;
                // at once on the same slot when that time has come (no wait for the next sweep).
                long due = job.AttemptStart + (long)(_options.Interval.TotalSeconds * _time.TimestampFrequency);
                job.Reset();
                job.Attempt++;
                if (due <= _time.GetTimestamp())
                {
                    return job;
                }

                lock (_gate)
                {
                    _queues.Delay(job, due);
                    ArmIntervalTimerLocked(due);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fault(e);
        }

        return null;
    }

    /// <summary>Sets the interval timer for <paramref name="due"/> (timestamp ticks) unless it is already set for earlier.</summary>
    private void ArmIntervalTimerLocked(long due)
    {
        if (_intervalTimer is null || due >= _intervalTimerDue || _finished)
        {
            return;
        }

        _intervalTimerDue = due;
        long left = Math.Max(0, due - _time.GetTimestamp());
        long ticks = (long)Math.Ceiling(left * ((double)TimeSpan.TicksPerSecond / _time.TimestampFrequency)); // never early
        _intervalTimer.Change(TimeSpan.FromTicks(ticks), Timeout.InfiniteTimeSpan);
    }

    private void OnIntervalTimer()
    {
        lock (_gate)
        {
            _intervalTimerDue = long.MaxValue;
        }

        Sweep(); // starts the attempts now due
        lock (_gate)
        {
            if (!_stopping)
            {
                long next = _queues.EarliestDue();
                if (next != long.MaxValue)
                {
                    ArmIntervalTimerLocked(next);
                }
            }
        }
    }

    private static PortStatus StatusOf(ScanJob job, ProbeOutcome outcome) => new()
    {
        ComputerName = job.Request.Name,
        RemoteIP = job.Addresses[job.AddressIndex],
        Port = job.Port,
        Status = outcome.State switch
        {
            ProbeEndState.Open => PortState.Open,
            ProbeEndState.Closed => PortState.Closed,
            ProbeEndState.TimedOut => PortState.TimedOut,
            _ => PortState.Unreachable,
        },
        Latency = outcome.State is ProbeEndState.Open or ProbeEndState.Closed ? outcome.Elapsed : null,
        KernelRtt = outcome.KernelRtt,
        Attempt = job.Attempt,
    };

    /// <summary>How telling a failed probe is across addresses: a refusal (Closed) says more than silence or an unreachable network.</summary>
    internal static int FailureRank(PortStatus? status) => status?.Status == PortState.Closed ? 1 : 0;

    internal ScanJob? ReleaseOrNext(ProbeSlot slot)
    {
        lock (_gate)
        {
            ScanJob? next = NextJobLocked();
            if (next is not null)
            {
                return next;
            }

            _idle.Push(slot);
        }

        CheckFinished();
        return null;
    }

    /// <summary>
    /// Gives <paramref name="detached"/>'s role (its place in the slot array) to a spare slot object, as
    /// <paramref name="detached"/> finished its attempt inline and still waits for its connect's completion.
    /// Spares come back through <see cref="ReturnSpare"/>, so a long series allocates none after the first few.
    /// </summary>
    internal ProbeSlot TakeOver(ProbeSlot detached)
    {
        ProbeSlot? next = null;
        lock (_gate)
        {
            if (_spares.Count > 0)
            {
                next = _spares.Pop();
            }
        }

        next ??= new ProbeSlot(this, detached.Index);
        next.Index = detached.Index;
        Volatile.Write(ref _slots[detached.Index], next);
        return next;
    }

    /// <summary>A slot object whose inline-finished attempt has had its late completion: free for <see cref="TakeOver"/>.</summary>
    internal void ReturnSpare(ProbeSlot slot)
    {
        lock (_gate)
        {
            _spares.Push(slot);
        }
    }

    /// <summary>Times out probes past their deadline and starts retries that are due (called by <see cref="DeadlineSweeper"/>).</summary>
    internal void Sweep()
    {
        try
        {
            SweepCore();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fault(e);
        }
    }

    private void SweepCore()
    {
        long now = _time.GetTimestamp();
        foreach (ProbeSlot slot in _slots)
        {
            slot.CheckDeadline(now);
        }

        bool due;
        List<ScanJob>? waitOver = null;
        lock (_gate)
        {
            due = _queues.PromoteDue(now, ref waitOver);
            while (due && _parked.Count > 0)
            {
                _idle.Push(_parked.Pop());
            }
        }

        foreach (ScanJob job in waitOver ?? [])
        {
            _onResult(job.Pair, job.LastFullAttempt!);
        }

        if (due)
        {
            Pump();
        }
        else if (waitOver is not null)
        {
            CheckFinished();
        }
    }

    private void AbortAll()
    {
        _stopping = true;
        try
        {
            _stop.Cancel(); // also stops name resolutions in flight
        }
        catch (ObjectDisposedException)
        {
            // Disposed: nothing is resolving any more.
        }

        foreach (ProbeSlot slot in _slots)
        {
            slot.Abort();
        }

        lock (_gate)
        {
            _queues.Clear();
        }

        CheckFinished();
    }

    private void Fault(Exception e)
    {
        lock (_gate)
        {
            _fault ??= e;
        }

        AbortAll();
    }

    private void CheckFinished()
    {
        lock (_gate)
        {
            if (_finished || _idle.Count + _parked.Count + _retired != _slots.Length || _pendingResolutions != 0)
            {
                return;
            }

            bool stopped = _stopping;
            if (!stopped && (!_completeCalled || !_queues.IsEmpty))
            {
                return;
            }

            _finished = true;
        }

        DeadlineSweeper.Unregister(this);
        _intervalTimer?.Dispose();
        if (_fault is not null)
        {
            _completion.TrySetException(_fault);
        }
        else if (_stopping)
        {
            _completion.TrySetCanceled(_callerToken.IsCancellationRequested ? _callerToken : new CancellationToken(canceled: true));
        }
        else
        {
            _completion.TrySetResult();
        }
    }

    /// <summary>A name's resolution, shared by every request for it.</summary>
    private sealed class NameEntry(Task<IPAddress[]> resolution)
    {
        public Task<IPAddress[]> Resolution { get; } = resolution;

        public int Reported;
    }
}
