using System.Collections.Concurrent;
using System.Management.Automation;

namespace SocketShell.Commands;

/// <summary>
/// The base of every SocketShell cmdlet: owns the cancellation source (cancelled by Ctrl+C through
/// <see cref="StopProcessing"/>), waits on engine tasks from the pipeline thread without blocking
/// Ctrl+C, and builds ErrorRecords with stable ErrorIds.
/// </summary>
public abstract class SocketCmdletBase : PSCmdlet, IDisposable
{
    private static readonly TimeSpan s_waitSlice = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _cancellation = new();
    private bool _disposed;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>Cancels every engine call in flight.</summary>
    protected override void StopProcessing()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The cmdlet already finished.
        }
    }

    /// <summary>Waits for <paramref name="task"/> on the pipeline thread; Ctrl+C stops the wait at once.</summary>
    protected void WaitFor(Task task) => WaitAndDrain<object>(task, null, null);

    /// <summary>Waits for <paramref name="task"/> and returns its result; Ctrl+C stops the wait at once.</summary>
    protected T WaitFor<T>(Task<T> task)
    {
        WaitFor((Task)task);
        return task.Result;
    }

    /// <summary>
    /// Waits for <paramref name="task"/> while writing, from the pipeline thread, each item that
    /// background work puts into <paramref name="results"/> (so results stream as they happen).
    /// The queue is drained once more after the task ends. Cancellation becomes
    /// <see cref="PipelineStoppedException"/>; a faulted task rethrows its own exception.
    /// </summary>
    protected void WaitAndDrain<T>(Task task, ConcurrentQueue<T>? results, Action<T>? write)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            while (!task.Wait(s_waitSlice, CancellationToken))
            {
                Drain(results, write);
            }
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (AggregateException ae) when (ae.InnerExceptions.Count == 1)
        {
            Drain(results, write);
            if (ae.InnerException is OperationCanceledException && CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ae.InnerException!).Throw();
        }

        Drain(results, write);
    }

    /// <summary>Writes a non-terminating error for a failure with one target, then the caller goes on.</summary>
    protected void WriteSocketError(Exception exception, object? target, string? errorId = null, ErrorCategory? category = null)
        => WriteError(SocketErrors.Create(exception, target, errorId, category));

    /// <summary>Stops the whole call with a terminating error.</summary>
    protected void ThrowSocketError(Exception exception, object? target, string? errorId = null, ErrorCategory? category = null)
        => ThrowTerminatingError(SocketErrors.Create(exception, target, errorId, category));

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the cancellation source.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _cancellation.Dispose();
        }

        _disposed = true;
    }

    private static void Drain<T>(ConcurrentQueue<T>? results, Action<T>? write)
    {
        if (results is null || write is null)
        {
            return;
        }

        while (results.TryDequeue(out T? item))
        {
            write(item);
        }
    }
}
