using System.Net;
using SocketShell.Scan;

namespace SocketShell.Engine.Tests.Scan;

/// <summary>The scan's work order on its own: no sockets, no timers.</summary>
public class ScanQueuesTests
{
    private static readonly IPAddress[] Both = [IPAddress.IPv6Loopback, IPAddress.Loopback];

    private static ScanRequest Request(string name, int[] ports, long basePair = 0) =>
        new(name, ports) { Addresses = Both, BasePair = basePair };

    [Fact]
    public void Without_AllAddresses_one_job_per_port_with_every_address_in_order()
    {
        var q = new ScanQueues(allAddresses: false);
        q.AddReady(Request("a", [80, 443]));
        ScanJob first = q.Next()!;
        ScanJob second = q.Next()!;
        Assert.Null(q.Next());
        Assert.True(q.IsEmpty);
        Assert.Equal((80, 0L), (first.Port, first.Pair));
        Assert.Equal((443, 1L), (second.Port, second.Pair));
        Assert.Equal(Both, first.Addresses);
    }

    [Fact]
    public void With_AllAddresses_one_job_per_port_and_address_sharing_the_pair()
    {
        var q = new ScanQueues(allAddresses: true);
        q.AddReady(Request("a", [80], basePair: 5));
        ScanJob v6 = q.Next()!;
        ScanJob v4 = q.Next()!;
        Assert.Null(q.Next());
        Assert.Equal([IPAddress.IPv6Loopback], v6.Addresses);
        Assert.Equal([IPAddress.Loopback], v4.Addresses);
        Assert.Equal((5L, 5L), (v6.Pair, v4.Pair));
    }

    [Fact]
    public void Delayed_jobs_wait_for_their_time_then_go_before_new_ports()
    {
        var q = new ScanQueues(allAddresses: false);
        q.AddReady(Request("a", [1, 2, 3]));
        ScanJob retried = q.Next()!;
        q.Delay(retried, dueTicks: 100);
        Assert.False(q.IsEmpty);

        List<ScanJob>? waitOver = null;
        Assert.False(q.PromoteDue(now: 99, ref waitOver));
        Assert.True(q.PromoteDue(now: 100, ref waitOver));
        Assert.Null(waitOver);
        Assert.Same(retried, q.Next());
        Assert.Equal(2, q.Next()!.Port);

        q.Clear();
        Assert.True(q.IsEmpty);

        // A job whose -Wait ended before the sweep saw it due is reported, not retried past the wait.
        q.AddReady(Request("b", [4]));
        ScanJob late = q.Next()!;
        late.WaitDeadline = 150;
        late.LastFullAttempt = new PortStatus { ComputerName = "b", Port = 4, Status = PortState.Closed };
        q.Delay(late, dueTicks: 140);
        Assert.False(q.PromoteDue(now: 160, ref waitOver));
        Assert.Equal([late], waitOver);
        Assert.Null(q.Next());
        Assert.True(q.IsEmpty);
        Assert.Null(q.Next());
    }
}
