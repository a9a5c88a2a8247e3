using System.Net.Sockets;
using System.Net;
using SocketShell.Engine.Tests.Common;
using SocketShell.Common;
using SocketShell.Scan;
using static SocketShell.Engine.Tests.Scan.ScanFixtures;

namespace SocketShell.Engine.Tests.Scan;

public class PortScannerTests
{
    public static TheoryData<string> Loopbacks => new() { "127.0.0.1", "::1" };

    [Theory]
    [MemberData(nameof(Loopbacks))]
    public async Task Open_and_closed_ports_are_reported_exactly(string host)
    {
        IPAddress address = IPAddress.Parse(host);
        using Socket open = OpenPort(address, out int openPort);
        using Socket closed = ClosedPort(address, out int closedPort);

        ScanRun run = await RunAsync(new PortScanOptions(), s => s.Add(host, [openPort, closedPort]));

        Assert.Equal(2, run.Results.Count);
        PortStatus o = run.Results.Single(r => r.Status.Port == openPort).Status;
        PortStatus c = run.Results.Single(r => r.Status.Port == closedPort).Status;
        Assert.Equal(PortState.Open, o.Status);
        Assert.True(o.Open);
        Assert.Equal(address, o.GetRemoteAddress());
        Assert.Equal(host, o.ComputerName);
        Assert.NotNull(o.Latency);
        Assert.Equal(PortState.Closed, c.Status);
        Assert.False(c.Open);
        Assert.NotNull(c.Latency);
        Assert.Equal(0, run.OpenSocketsAfter);
    }

    [Fact]
    public async Task Open_means_a_completed_handshake_the_listener_sees()
    {
        using Socket open = OpenPort(IPAddress.Loopback, out int port);
        ScanRun run = await RunAsync(new PortScanOptions(), s => s.Add("127.0.0.1", [port]));
        Assert.Equal(PortState.Open, run.Single().Status);

        // The probe's connection is in the accept queue: the handshake really happened.
        using Socket accepted = await open.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(accepted.RemoteEndPoint);
    }

    [Fact]
    public async Task Localhost_works_whichever_family_it_resolves_to_first()
    {
        IPAddress[] addresses = await HostResolver.ResolveAsync("localhost", IPFamily.Any, CancellationToken.None);

        // Listen only on the LAST address localhost resolves to: with ::1 and 127.0.0.1 this checks that a
        // refusal on the first address does not hide the service on the second.
        IPAddress last = addresses[^1];
        using Socket open = OpenPort(last, out int port);

        ScanRun run = await RunAsync(new PortScanOptions(), s => s.Add("localhost", [port]));
        PortStatus status = run.Single();
        Assert.Equal(PortState.Open, status.Status);
        Assert.Equal(last, status.GetRemoteAddress());
        Assert.Equal("localhost", status.ComputerName);
    }

    [Fact]
    public async Task Without_AllAddresses_each_port_is_tried_on_each_address_until_one_opens()
    {
        using Socket open4 = OpenPort(IPAddress.Loopback, out int port);
        using Socket closed6 = ClosedPort(IPAddress.IPv6Loopback, out int closedBoth);
        using Socket closed4 = ClosedPort(IPAddress.Loopback, out int closed4Port);
        var resolver = new FixedResolver(IPAddress.IPv6Loopback, IPAddress.Loopback);

        ScanRun run = await RunAsync(new PortScanOptions { Resolver = resolver.Resolve }, s => s.Add("both", [port, closedBoth]));

        Assert.Equal(2, run.Results.Count);
        PortStatus found = run.Results.Single(r => r.Pair == 0).Status;
        Assert.Equal(PortState.Open, found.Status);
        Assert.Equal(IPAddress.Loopback, found.GetRemoteAddress());

        // Closed everywhere: one result, the first refusal (::1).
        PortStatus refused = run.Results.Single(r => r.Pair == 1).Status;
        Assert.Equal(PortState.Closed, refused.Status);
        Assert.Equal(IPAddress.IPv6Loopback, refused.GetRemoteAddress());
    }

    [Fact]
    public async Task A_name_is_resolved_once_per_scan_however_often_it_is_added()
    {
        using Socket closed = ClosedPort(IPAddress.Loopback, out int port);
        var resolver = new FixedResolver(IPAddress.Loopback);

        ScanRun run = await RunAsync(new PortScanOptions { Resolver = resolver.Resolve }, s =>
        {
            s.Add("name.test", [port]);
            s.Add("NAME.test", [port]);
            s.Add("other.test", [port]);
        });

        Assert.Equal(3, run.Results.Count);
        Assert.All(run.Results, r => Assert.Equal(PortState.Closed, r.Status.Status));
        Assert.Equal(2, resolver.Calls); // name.test (any case) once, other.test once
    }

    [Fact]
    public async Task AllAddresses_writes_one_result_per_address()
    {
        using Socket open4 = OpenPort(IPAddress.Loopback, out int port);
        var resolver = new FixedResolver(IPAddress.IPv6Loopback, IPAddress.Loopback);
        var options = new PortScanOptions { AllAddresses = true, Resolver = resolver.Resolve };

        ScanRun run = await RunAsync(options, s => s.Add("both", [port]));

        Assert.Equal(2, run.Results.Count);
        Assert.All(run.Results, r => Assert.Equal(0, r.Pair));
        Assert.Equal(PortState.Open, run.Results.Single(r => r.Status.GetRemoteAddress()!.Equals(IPAddress.Loopback)).Status.Status);
        Assert.NotEqual(PortState.Open, run.Results.Single(r => r.Status.GetRemoteAddress()!.Equals(IPAddress.IPv6Loopback)).Status.Status);
    }

    [Theory]
    [MemberData(nameof(Loopbacks))]
    public async Task A_probe_without_an_answer_times_out_never_before_the_timeout(string host)
    {
        IPAddress address = IPAddress.Parse(host);
        using StalledPort? stalled = await StalledPortAsync(address);
        Assert.True(stalled is not null, "A full accept backlog on loopback did not stall a handshake on this host.");
        var timeout = TimeSpan.FromSeconds(2);

        // Measured from just before the probe is added to when its result is handed over. On the real clock
        // this test holds what cannot depend on load: never before the timeout, and an end (the bound only
        // catches a hang). How exactly the deadline is kept is tested on a manual clock (ScanTimeTests) and
        // how late it is on a real machine is measured in bench/ (the test-port-timeout scenario).
        ScanRun run = await RunAsync(new PortScanOptions { Timeout = timeout }, s => s.Add(host, [stalled.Port]));
        TimeSpan at = Assert.Single(run.Results).At;

        PortStatus status = run.Single();
        Assert.Equal(PortState.TimedOut, status.Status);
        Assert.Null(status.Latency);
        Assert.InRange(at, timeout, timeout + TimeSpan.FromSeconds(20));
        Assert.Equal(0, run.OpenSocketsAfter);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_gives_one_result_per_port_and_one_error_per_name()
    {
        // An IPv4 literal asked for as IPv6: HostNotFound without any DNS query.
        var options = new PortScanOptions { AddressFamily = IPFamily.IPv6 };
        ScanRun run = await RunAsync(options, s =>
        {
            s.Add("127.0.0.1", [22, 80, 443]);
            s.Add("127.0.0.1", [8080]);
        });

        Assert.Equal(4, run.Results.Count);
        Assert.All(run.Results, r =>
        {
            Assert.Equal(PortState.HostNotFound, r.Status.Status);
            Assert.Null(r.Status.RemoteAddress);
            Assert.Null(r.Status.Latency);
        });
        Assert.Equal([0L, 1, 2, 3], run.Results.Select(r => r.Pair).Order());
        SocketShellException e = Assert.Single(run.NameErrors);
        Assert.Equal(SocketErrorKind.HostNotFound, e.Kind);
        Assert.Equal("127.0.0.1", e.Target);
    }

    [Fact]
    public async Task Pairs_are_numbered_in_input_order_across_Add_calls()
    {
        using Socket a = ClosedPort(IPAddress.Loopback, out int p1);
        using Socket b = OpenPort(IPAddress.Loopback, out int p2);
        var pairs = new List<long>();
        ScanRun run = await RunAsync(new PortScanOptions(), s =>
        {
            pairs.Add(s.Add("127.0.0.1", [p1, p2]));
            pairs.Add(s.Add("::1", [p1]));
            pairs.Add(s.Add("127.0.0.1", [p2]));
        });

        Assert.Equal([0L, 2, 3], pairs);
        Assert.Equal(p1, run.Results.Single(r => r.Pair == 0).Status.Port);
        Assert.Equal(PortState.Open, run.Results.Single(r => r.Pair == 1).Status.Status);
        Assert.Equal(IPAddress.IPv6Loopback, run.Results.Single(r => r.Pair == 2).Status.GetRemoteAddress());
        Assert.Equal(PortState.Open, run.Results.Single(r => r.Pair == 3).Status.Status);
    }

    [Fact]
    public async Task Results_stream_before_the_scan_ends()
    {
        using Socket open = OpenPort(IPAddress.Loopback, out int openPort);
        using StalledPort? stalled = await StalledPortAsync(IPAddress.Loopback);
        Assert.NotNull(stalled);
        var first = new TaskCompletionSource<PortStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var scanner = new PortScanner(
            new PortScanOptions { Timeout = TimeSpan.FromSeconds(20) },
            (_, s) => first.TrySetResult(s), null, CancellationToken.None);
        scanner.Add("127.0.0.1", [stalled.Port, openPort]);
        scanner.Complete();

        // The open port's result arrives while the stalled probe is still in flight.
        PortStatus status = await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(openPort, status.Port);
        Assert.Equal(PortState.Open, status.Status);
        Assert.False(scanner.Completion.IsCompleted);
    }

    [Fact]
    public async Task Wait_succeeds_when_the_listener_starts_after_the_first_failed_attempt()
    {
        using Socket socket = ClosedPort(IPAddress.Loopback, out int port);
        var firstFailure = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var results = new List<PortStatus>();
        int attempts = 0;
        var options = new PortScanOptions { Wait = true, WaitTimeout = TimeSpan.FromSeconds(30), RetryInterval = TimeSpan.FromMilliseconds(50) };
        using var scanner = new PortScanner(
            options,
            (_, s) => { lock (results) { results.Add(s); } },
            null,
            CancellationToken.None,
            (_, s) =>
            {
                Interlocked.Increment(ref attempts);
                if (!s.Open)
                {
                    firstFailure.TrySetResult();
                }
            });
        scanner.Add("127.0.0.1", [port]);
        scanner.Complete();

        await firstFailure.Task.WaitAsync(TimeSpan.FromSeconds(10));
        socket.Listen(16); // the service comes up
        await scanner.Completion.WaitAsync(TimeSpan.FromSeconds(20));

        PortStatus final = Assert.Single(results);
        Assert.Equal(PortState.Open, final.Status);
        Assert.True(Volatile.Read(ref attempts) >= 2);
    }

    [Fact]
    public async Task Wait_ends_with_the_last_failure_after_WaitTimeout()
    {
        using Socket socket = ClosedPort(IPAddress.Loopback, out int port);
        var options = new PortScanOptions { Wait = true, WaitTimeout = TimeSpan.FromMilliseconds(600), RetryInterval = TimeSpan.FromMilliseconds(100) };
        ScanRun run = await RunAsync(options, s => s.Add("127.0.0.1", [port]));

        PortStatus final = run.Single();
        Assert.Equal(PortState.Closed, final.Status);
        Assert.True(run.Attempts.Count >= 2, $"attempts: {run.Attempts.Count}");
        Assert.True(run.Results.Single().At >= TimeSpan.FromMilliseconds(600));
    }

    [Fact]
    public async Task Wait_starts_no_attempt_past_the_WaitTimeout()
    {
        // Retries every 250 ms, wait 300 ms: attempts at 0 and 250 ms fit; one at 500 ms would run past the wait.
        using Socket socket = ClosedPort(IPAddress.Loopback, out int port);
        var options = new PortScanOptions { Wait = true, WaitTimeout = TimeSpan.FromMilliseconds(300), RetryInterval = TimeSpan.FromMilliseconds(250) };
        ScanRun run = await RunAsync(options, s => s.Add("127.0.0.1", [port]));

        Assert.Equal(PortState.Closed, run.Single().Status);
        Assert.InRange(run.Attempts.Count, 1, 2);
        Assert.True(run.Results.Single().At >= TimeSpan.FromMilliseconds(300), $"reported at {run.Results.Single().At}");
    }

    [Fact]
    public async Task Wait_attempts_against_a_silent_port_end_at_the_WaitTimeout()
    {
        using StalledPort? stalled = await StalledPortAsync(IPAddress.Loopback);
        Assert.NotNull(stalled);
        var options = new PortScanOptions { Wait = true, Timeout = TimeSpan.FromSeconds(10), WaitTimeout = TimeSpan.FromMilliseconds(700) };
        ScanRun run = await RunAsync(options, s => s.Add("127.0.0.1", [stalled.Port]));

        Assert.Equal(PortState.TimedOut, run.Single().Status);
        Assert.InRange(run.Results.Single().At, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_service_name_comes_from_the_services_database()
    {
        using Socket open = OpenPort(IPAddress.Loopback, out int port);
        ScanRun run = await RunAsync(new PortScanOptions(), s => s.Add("127.0.0.1", [port]));
        Assert.Equal(SocketShell.Ports.ServiceDatabase.System.LookupFirst(port, SocketShell.PortProtocol.Tcp), run.Single().Service);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortScanner(new PortScanOptions { ThrottleLimit = 0 }, (_, _) => { }, null, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortScanner(new PortScanOptions { Timeout = TimeSpan.Zero }, (_, _) => { }, null, CancellationToken.None));
        using var scanner = new PortScanner(new PortScanOptions(), (_, _) => { }, null, CancellationToken.None);
        Assert.Equal(SocketErrorKind.InvalidPort, Assert.Throws<SocketShellException>(() => scanner.Add("127.0.0.1", [65536])).Kind);
        Assert.Equal(SocketErrorKind.InvalidPort, Assert.Throws<SocketShellException>(() => scanner.Add("127.0.0.1", [0])).Kind);
        Assert.Equal(SocketErrorKind.InvalidComputerName, Assert.Throws<SocketShellException>(() => scanner.Add(" ", [80])).Kind);
        Assert.Equal(SocketErrorKind.InvalidComputerName, Assert.Throws<SocketShellException>(() => scanner.Add("22", [80])).Kind);
        Assert.Equal(SocketErrorKind.InvalidComputerName, Assert.Throws<SocketShellException>(() => scanner.Add("[::1]:8080", [80])).Kind);
    }

    [Fact]
    public void The_suggested_throttle_limit_fits_the_open_file_limit()
    {
        int suggested = PortScanOptions.SuggestedThrottleLimit();
        Assert.InRange(suggested, 16, PortScanOptions.DefaultThrottleLimit);
        if (OperatingSystem.IsLinux())
        {
            string line = File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            string soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            if (long.TryParse(soft, out long n))
            {
                Assert.Equal((int)Math.Clamp(n / 2, 16, PortScanOptions.DefaultThrottleLimit), suggested);
                Assert.Equal((int)Math.Max(n / 2, 16), PortScanOptions.MaxThrottleLimit());
                using var scanner = new PortScanner(new PortScanOptions { ThrottleLimit = int.MaxValue / 2 }, (_, _) => { }, null, CancellationToken.None);
                Assert.Equal(PortScanOptions.MaxThrottleLimit(), scanner.ThrottleLimit);
            }
        }
    }
}
