namespace SocketShell.Engine.Tests.Common;

/// <summary>
/// A clock that moves only when a test calls <see cref="Advance"/>: timestamps, UTC/local time and the
/// timers the engine creates through it (Task.WaitAsync/Delay with a TimeProvider, timed cancellation).
/// A timer fires, on the thread that advances, once the clock reaches its due time. Tests wait (bounded) for
/// the engine to arm a timer with <see cref="WaitForArmedTimersAsync"/> before advancing, so nothing depends
/// on how fast the machine is. Local time is UTC.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    /// <summary>Where the clock starts.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _ticks;

    /// <summary>How far the clock has moved since <see cref="Start"/>.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Volatile.Read(ref _ticks));

    public override DateTimeOffset GetUtcNow() => Start + Elapsed;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Volatile.Read(ref _ticks);

    /// <summary>The timers armed now (due at a time, not disposed).</summary>
    public int ArmedTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.DueAt != long.MaxValue);
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Waits (up to <paramref name="bound"/>) until at least <paramref name="count"/> timers are armed.</summary>
    public async Task WaitForArmedTimersAsync(int count, TimeSpan bound)
    {
        using var limit = new CancellationTokenSource(bound);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_timers.Count(t => t.DueAt != long.MaxValue) >= count)
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{count} timer(s) were not armed within {bound} (armed: {ArmedTimers}).");
            }
        }
    }

    /// <summary>Waits (up to <paramref name="bound"/>) until a timer is armed to fire at <paramref name="at"/> after <see cref="Start"/>.</summary>
    public async Task WaitForTimerDueAsync(TimeSpan at, TimeSpan bound)
    {
        using var limit = new CancellationTokenSource(bound);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_timers.Any(t => t.DueAt == at.Ticks))
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                string due;
                lock (_gate)
                {
                    due = string.Join(", ", _timers.Where(t => t.DueAt != long.MaxValue).Select(t => TimeSpan.FromTicks(t.DueAt).ToString()));
                }

                throw new TimeoutException($"No timer was armed for {at} within {bound} (armed for: {due}).");
            }
        }
    }

    /// <summary>Moves the clock on by <paramref name="by"/>, firing every timer that falls due on the way, in order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        long target = Volatile.Read(ref _ticks) + by.Ticks;
        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.DueAt <= target).MinBy(t => t.DueAt);
                if (next is null)
                {
                    Volatile.Write(ref _ticks, target);
                    Signal();
                    return;
                }

                Volatile.Write(ref _ticks, Math.Max(_ticks, next.DueAt));
                next.DueAt = next.Period > 0 ? next.DueAt + next.Period : long.MaxValue;
                Signal();
            }

            next.Fire();
        }
    }

    private void Signal()
    {
        TaskCompletionSource changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        public long DueAt { get; set; } = long.MaxValue;

        public long Period { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                if (!clock._timers.Contains(this))
                {
                    return false;
                }

                DueAt = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : clock._ticks + dueTime.Ticks;
                Period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                clock.Signal();
                return true;
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                clock.Signal();
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
