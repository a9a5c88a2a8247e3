using System.Net;

namespace SocketShell.Scan;

/// <summary>
/// A scan's waiting work, in the order it is handed to probe slots: jobs whose retry is due first, then
/// the ports of requests whose names have resolved (one job per port, or per port and address with
/// AllAddresses), while jobs waiting for a retry time sit apart until <see cref="PromoteDue"/>.
/// Not thread-safe: <see cref="PortScanner"/> calls it under its lock.
/// </summary>
internal sealed class ScanQueues(bool allAddresses)
{
    private readonly Queue<ScanRequest> _ready = new();
    private readonly Queue<ScanJob> _retry = new();
    private readonly List<ScanJob> _delayed = [];

    /// <summary>Whether no work waits at all (ready, due or delayed).</summary>
    public bool IsEmpty => _ready.Count == 0 && _retry.Count == 0 && _delayed.Count == 0;

    /// <summary>Queues a request whose addresses are known.</summary>
    public void AddReady(ScanRequest request) => _ready.Enqueue(request);

    /// <summary>Puts <paramref name="job"/> aside until <paramref name="dueTicks"/> (timestamp ticks of the scan's clock).</summary>
    public void Delay(ScanJob job, long dueTicks)
    {
        job.DueTicks = dueTicks;
        _delayed.Add(job);
    }

    /// <summary>
    /// Moves the delayed jobs due by <paramref name="now"/> to the front; whether any was. A due job whose
    /// -Wait is already over (the sweep came late) is not retried, since no attempt may start past the wait:
    /// it goes to <paramref name="waitOver"/>, for its last attempt to be reported.
    /// </summary>
    public bool PromoteDue(long now, ref List<ScanJob>? waitOver)
    {
        bool due = false;
        for (int i = _delayed.Count - 1; i >= 0; i--)
        {
            ScanJob job = _delayed[i];
            if (job.DueTicks <= now)
            {
                _delayed.RemoveAt(i);
                if (job.LastFullAttempt is not null && now >= job.WaitDeadline)
                {
                    (waitOver ??= []).Add(job);
                    continue;
                }

                _retry.Enqueue(job);
                due = true;
            }
        }

        return due;
    }

    /// <summary>The earliest due time of the delayed jobs (timestamp ticks), or <see cref="long.MaxValue"/> when none waits.</summary>
    public long EarliestDue()
    {
        long earliest = long.MaxValue;
        foreach (ScanJob job in _delayed)
        {
            earliest = Math.Min(earliest, job.DueTicks);
        }

        return earliest;
    }

    /// <summary>The next job to run, or null when none is ready.</summary>
    public ScanJob? Next()
    {
        if (_retry.Count > 0)
        {
            return _retry.Dequeue();
        }

        while (_ready.Count > 0)
        {
            ScanRequest r = _ready.Peek();
            IPAddress[] addresses = r.Addresses!;
            if (allAddresses)
            {
                int total = r.Ports.Length * addresses.Length;
                if (r.Next < total)
                {
                    int portIndex = r.Next / addresses.Length;
                    IPAddress address = addresses[r.Next % addresses.Length];
                    r.Next++;
                    return new ScanJob(r, portIndex, [address]);
                }
            }
            else if (r.Next < r.Ports.Length)
            {
                int portIndex = r.Next++;
                return new ScanJob(r, portIndex, addresses);
            }

            _ready.Dequeue();
        }

        return null;
    }

    /// <summary>Drops all waiting work (the scan is stopping).</summary>
    public void Clear()
    {
        _delayed.Clear();
        _retry.Clear();
        _ready.Clear();
    }
}
