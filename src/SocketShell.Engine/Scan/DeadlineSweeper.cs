namespace SocketShell.Scan;

/// <summary>
/// One background thread per process that sweeps the deadlines of every running scan. A dedicated
/// thread, not a thread-pool timer: when the pool is starved (a busy host process), pool timers can fire
/// half a second late, and a probe's timeout must not depend on that.
/// </summary>
internal static class DeadlineSweeper
{
    private static readonly object s_gate = new();
    private static readonly List<PortScanner> s_active = [];
    private static readonly AutoResetEvent s_wake = new(initialState: false);
    private static Thread? s_thread;

    public static void Register(PortScanner scanner)
    {
        lock (s_gate)
        {
            s_active.Add(scanner);
            if (s_thread is null)
            {
                s_thread = new Thread(Loop) { IsBackground = true, Name = "SocketShell probe deadlines" };
                s_thread.Start();
            }
        }

        s_wake.Set();
    }

    public static void Unregister(PortScanner scanner)
    {
        lock (s_gate)
        {
            s_active.Remove(scanner);
        }
    }

    private static void Loop()
    {
        while (true)
        {
            PortScanner[] scanners;
            lock (s_gate)
            {
                scanners = [.. s_active];
            }

            if (scanners.Length == 0)
            {
                s_wake.WaitOne();
                continue;
            }

            TimeSpan tick = scanners.Min(s => s.SweepInterval);
            s_wake.WaitOne(tick);
            foreach (PortScanner scanner in scanners)
            {
                scanner.Sweep();
            }
        }
    }
}
