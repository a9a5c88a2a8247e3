using System.Diagnostics.CodeAnalysis;
using System.Security.Authentication;
using System.Net.Sockets;
using SocketShell.Common;

namespace SocketShell.Client;

/// <summary>
/// The background reader of a client connection and the receives that frame what it read. The reader
/// takes what the peer sends into a bounded <see cref="ReceiveBuffer"/> as it arrives, so the connection
/// notices a close or a reset at once; when the buffer holds <see cref="BufferLimit"/> unread bytes (or
/// more than a pending count receive wants) it pauses until a receive takes some (backpressure: the peer's
/// sends then wait in the kernel). One receive at a time cuts one frame out of the buffer with a
/// <see cref="Framing.Framer"/>, waiting for more data up to its timeout.
/// </summary>
internal sealed class ConnectionReader
{
    private const int ChunkSize = 64 * 1024;
    private static readonly TimeSpan s_longestWait = TimeSpan.FromMilliseconds(int.MaxValue);

    private readonly object _gate = new();
    private readonly ReceiveBuffer _buffer;
    private readonly Stream _stream;
    private readonly ConnectionLifetime _life;
    private readonly TimeProvider _time;
    private readonly string _target;
    private TaskCompletionSource _changed = NewChangedSignal();
    private TaskCompletionSource? _spaceWaiter;
    private Task _task = Task.CompletedTask;
    private int _wanted;
    private bool _endOfStream;
    private int _receiving;
    private long _bytesReceived;

    public ConnectionReader(Stream stream, ConnectionLifetime life, string target, TimeProvider time)
    {
        _stream = stream;
        _life = life;
        _target = target;
        _time = time;
        _buffer = new ReceiveBuffer(time);
        life.WhenReleased(Wake);
    }

    /// <summary>The most unread bytes kept before the reader pauses.</summary>
    public int BufferLimit { get; set; } = SocketConnection.DefaultBufferLimit;

    /// <summary>Completes when the background reader has stopped.</summary>
    public Task Completion => _task;

    /// <summary>Bytes received so far (after TLS), read or not.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Bytes received but not taken by a receive yet.</summary>
    public int BufferedBytes
    {
        get
        {
            lock (_gate)
            {
                return _buffer.Length;
            }
        }
    }

    /// <summary>Starts the background reader; called once.</summary>
    public void Start() => _task = Task.Run(ReadLoopAsync);

    /// <summary>
    /// Cuts one frame out of what was received, waiting up to <paramref name="timeout"/> for it. Null when
    /// the stream ended with nothing left, or, unless <paramref name="timeoutIsError"/>, when the time ran out.
    /// </summary>
    /// <param name="wanted">The bytes a count receive needs: the buffer may grow to this beyond <see cref="BufferLimit"/>.</param>
    /// <param name="what">What is awaited, for messages ("a line", "12 bytes").</param>
    public async Task<ReceivedFrame?> ReceiveAsync(
        Framing.Framer framer, int wanted, TimeSpan timeout, bool timeoutIsError, string what, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _receiving, 1) == 1)
        {
            throw new SocketShellException(SocketErrorKind.ReceiveInProgress, $"Another receive on {_target} is in progress.", _target);
        }

        try
        {
            long started = _time.GetTimestamp();
            while (true)
            {
                Task changed;
                TaskCompletionSource? space = null;
                lock (_gate)
                {
                    SocketShellException? fault = _life.Fault;
                    bool ended = _endOfStream || fault is not null || _life.IsReleased;
                    if (framer(_buffer.Span, ended, out int length, out int skip))
                    {
                        byte[] frame = _buffer.Take(length, skip, out DateTimeOffset arrived);
                        (space, _spaceWaiter) = (_spaceWaiter, null);
                        _wanted = 0;
                        space?.TrySetResult();
                        return new ReceivedFrame(frame, arrived);
                    }

                    if (ended)
                    {
                        if (fault is not null && fault.Kind != SocketErrorKind.ConnectionClosed)
                        {
                            throw new SocketShellException(fault.Kind, fault.Message, _target, fault.InnerException);
                        }

                        return null;
                    }

                    if (_buffer.Length >= Math.Max(BufferLimit, wanted))
                    {
                        throw new SocketShellException(SocketErrorKind.FrameTooLong, $"{Capital(what)} did not arrive within the first {_buffer.Length} bytes received; they stay buffered.", _target);
                    }

                    _wanted = wanted;
                    if (wanted > 0)
                    {
                        (space, _spaceWaiter) = (_spaceWaiter, null);
                    }

                    changed = _changed.Task;
                }

                space?.TrySetResult();
                TimeSpan left = Timeout.InfiniteTimeSpan;
                if (timeout != Timeout.InfiniteTimeSpan)
                {
                    left = timeout - _time.GetElapsedTime(started);
                    if (left <= TimeSpan.Zero)
                    {
                        return TimedOut();
                    }

                    left = left < s_longestWait ? left : s_longestWait;
                }

                try
                {
                    await changed.WaitAsync(left, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    return TimedOut();
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _wanted = 0;
            }

            Volatile.Write(ref _receiving, 0);
        }

        ReceivedFrame? TimedOut()
        {
            if (!timeoutIsError)
            {
                return null;
            }

            int buffered = BufferedBytes;
            throw new SocketShellException(
                SocketErrorKind.OperationTimeout,
                $"{Capital(what)} did not arrive within {DurationText.Format(timeout)}; {buffered} byte(s) received so far stay buffered for the next read.",
                _target);
        }
    }

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The "data changed" signal runs its continuation (the one waiting receive, see ReceiveAsync) on the
    // thread that sets it, always outside _gate: the reader's thread frames and hands the message over
    // itself, instead of queueing the receive to another pool thread that would then wake the caller's
    // (one thread switch less per waited receive; docs/performance.md, "Client round trips"). Only engine
    // code runs there (framing, building the message): SocketConnection gives callers a task whose
    // awaiters continue asynchronously, and wakes a caller blocked in Task.Wait directly.
    private static TaskCompletionSource NewChangedSignal() => new(TaskCreationOptions.None);

    [SuppressMessage("Reliability", "CA2016", Justification = "The reader stops when the socket is released, not by a token.")]
    private async Task ReadLoopAsync()
    {
        byte[] chunk = new byte[ChunkSize];
        try
        {
            while (true)
            {
                Task? space = null;
                lock (_gate)
                {
                    if (_life.IsReleased)
                    {
                        return;
                    }

                    if (_buffer.Length >= Math.Max(BufferLimit, _wanted))
                    {
                        _spaceWaiter ??= NewSignal();
                        space = _spaceWaiter.Task;
                    }
                }

                if (space is not null)
                {
                    await space.ConfigureAwait(false);
                    continue;
                }

                int n = await _stream.ReadAsync(chunk.AsMemory()).ConfigureAwait(false);
                if (n == 0)
                {
                    // State first: a receive that sees the end of the stream must also see State Closed.
                    _life.MarkClosed();
                    lock (_gate)
                    {
                        _endOfStream = true;
                    }

                    _life.Release(SocketConnectionState.Closed, null);
                    return;
                }

                Interlocked.Add(ref _bytesReceived, n);
                TaskCompletionSource changed;
                lock (_gate)
                {
                    _buffer.Append(chunk.AsSpan(0, n), LocalClock.Now(_time));
                    (changed, _changed) = (_changed, NewChangedSignal());
                }

                // A receive waiting for this data continues here, on the reader's thread, outside the
                // lock: it frames, takes its bytes and completes the caller's task directly (see NewChangedSignal).
                changed.TrySetResult();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or AuthenticationException or InvalidOperationException)
        {
            if (_life.IsReleased)
            {
                return;
            }

            SocketErrorKind kind = SocketFailure.Classify(e);
            string message = kind == SocketErrorKind.ConnectionReset
                ? "The connection was reset by the peer."
                : $"The connection failed: {e.Message}";
            _life.Fail(new SocketShellException(kind == SocketErrorKind.Unknown ? SocketErrorKind.ConnectionReset : kind, message, _target, e));
        }
    }

    /// <summary>Wakes a waiting receive and a paused reader (the connection was released).</summary>
    private void Wake()
    {
        TaskCompletionSource changed;
        TaskCompletionSource? space;
        lock (_gate)
        {
            (changed, _changed) = (_changed, NewChangedSignal());
            (space, _spaceWaiter) = (_spaceWaiter, null);
        }

        changed.TrySetResult();
        space?.TrySetResult();
    }
}
