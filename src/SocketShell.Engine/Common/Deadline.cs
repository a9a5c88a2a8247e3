namespace SocketShell.Common;

/// <summary>
/// A cancellation token that ends at a timeout measured on a <see cref="TimeProvider"/> or when the
/// caller's token is cancelled, whichever is first; <see cref="Expired"/> tells which. (A linked token
/// source's own CancelAfter would run on the system clock.)
/// </summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    /// <param name="timeout">The time allowed; <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    public Deadline(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        _timer = new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
    }

    /// <summary>Cancelled at the timeout or with the caller's token.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>Whether the timeout has passed.</summary>
    public bool Expired => _timer.IsCancellationRequested;

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
