using System.Net;
using System.Net.Sockets;
using SocketShell.Common;
using SocketShell.Ports;

namespace SocketShell.Scan;

/// <summary>
/// A UDP probe over many hosts and ports: one datagram (empty, or <see cref="PortScanOptions.Payload"/>)
/// from a connected socket per port, so the kernel hands back only that port's reply and turns an ICMP
/// port unreachable into a refused receive. A reply is Open (with the reply), an ICMP port unreachable
/// is Closed, other ICMP errors are Unreachable, silence is OpenOrFiltered.
/// </summary>
/// <remarks>
/// <para>
/// Hosts rate-limit ICMP errors (Linux: net.ipv4.icmp_ratelimit, by default one per second per
/// destination with a small burst, plus the global net.ipv4.icmp_msgs_per_sec), so a closed port can
/// be silent only because its ICMP report was not sent. Silence is therefore never taken at once: the
/// silent ports of a request are probed again, round after round, while the previous round brought any
/// answer (a rate-limited host keeps answering a few per round); a port is OpenOrFiltered only once a
/// whole retry round, starting at least <see cref="RetryRoundMinimum"/> (one refill of the per-destination
/// limit) after the round before, brought no answer from any of them. A truly silent port costs
/// RetryRoundMinimum (or Timeout, if longer) plus one Timeout.
/// </para>
/// <para>
/// Without <see cref="PortScanOptions.AllAddresses"/> a port is tried on the name's addresses in order
/// while they report it Closed; a reply anywhere is Open; silence at an address after a refusal at
/// another is OpenOrFiltered (something may listen there).
/// </para>
/// </remarks>
public sealed class UdpPortScanner : IPortScan
{
    /// <summary>
    /// The least time from the start of one round to the start of the next on the same silent ports: one
    /// refill of Linux's per-destination ICMP limit (icmp_ratelimit, 1000 ms), plus a quarter for the time
    /// between our sends and the host's use of its token (at exactly one period a retry round met an empty
    /// limiter in a test under load).
    /// </summary>
    public static readonly TimeSpan RetryRoundMinimum = TimeSpan.FromMilliseconds(1250);

    /// <summary>The smallest retry batch.</summary>
    public const int MinimumBatch = 16;


    private readonly object _gate = new();
    private readonly PortScanOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<long, PortStatus> _onResult;
    private readonly Action<SocketShellException>? _onNameNotResolved;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _callerToken;
    private readonly SemaphoreSlim _throttle;
    private readonly Dictionary<string, NameEntry> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ServiceDatabase _services = ServiceDatabase.System;
    private readonly byte[] _payload;
    private int _running;
    private long _retries;
    private int _openSockets;
    private bool _completeCalled;
    private bool _finished;
    private long _nextPair;
    private Exception? _fault;

    /// <summary>Starts a UDP scan that takes targets through <see cref="Add"/>.</summary>
    /// <param name="options">How to probe: Timeout, ThrottleLimit, AddressFamily, AllAddresses, Payload.</param>
    /// <param name="onResult">Called once per result (from a thread-pool thread, possibly several at once) with the pair index <see cref="Add"/> gave and the result.</param>
    /// <param name="onNameNotResolved">Called once per name that does not resolve, before its HostNotFound results.</param>
    /// <param name="cancellationToken">Stops every in-flight probe at once.</param>
    public UdpPortScanner(PortScanOptions options, Action<long, PortStatus> onResult, Action<SocketShellException>? onNameNotResolved, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onResult);
        options.Validate();
        if (options.Wait || options.IsSeries || options.PostConnect is { IsActive: true })
        {
            throw new ArgumentException("UDP probes do not take Wait, a latency series, TLS or a banner read.", nameof(options));
        }

        _options = options;
        _time = options.TimeProvider;
        _payload = options.Payload ?? [];
        if (_payload.Length > 65_507)
        {
            throw new SocketShellException(SocketErrorKind.DatagramTooLarge, $"The payload is {_payload.Length:N0} bytes; a UDP datagram over IPv4 carries at most 65,507. Nothing was sent.");
        }

        ThrottleLimit = Math.Min(options.ThrottleLimit, PortScanOptions.MaxThrottleLimit());
        _throttle = new SemaphoreSlim(ThrottleLimit, ThrottleLimit);
        _onResult = onResult;
        _onNameNotResolved = onNameNotResolved;
        _callerToken = cancellationToken;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <inheritdoc/>
    public Task Completion => _completion.Task;

    /// <inheritdoc/>
    public int ThrottleLimit { get; }

    /// <inheritdoc/>
    public int OpenSockets => Volatile.Read(ref _openSockets);

    /// <summary>How many datagrams were sent again because their first probe met silence (for tests and benchmarks).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <inheritdoc/>
    public long Add(string computerName, IReadOnlyList<int> ports)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(computerName);
        ArgumentNullException.ThrowIfNull(ports);
        foreach (int p in ports)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(p, nameof(ports));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 65535, nameof(ports));
        }

        string name = computerName.Trim();
        int[] portList = [.. ports];
        long basePair;
        NameEntry entry;
        lock (_gate)
        {
            if (_completeCalled)
            {
                throw new InvalidOperationException("Complete() was already called.");
            }

            basePair = _nextPair;
            _nextPair += portList.Length;
            if (portList.Length == 0)
            {
                return basePair;
            }

            _running++;
            if (!_names.TryGetValue(name, out entry!))
            {
                entry = new NameEntry(_options.Resolver(name, _options.AddressFamily, _stop.Token));
                _names.Add(name, entry);
            }
        }

        _ = RunRequestAsync(name, portList, basePair, entry);
        return basePair;
    }

    /// <inheritdoc/>
    public void Complete()
    {
        lock (_gate)
        {
            _completeCalled = true;
        }

        CheckFinished();
    }

    /// <summary>Stops the scan (if still running).</summary>
    public void Dispose()
    {
        if (!_completion.Task.IsCompleted)
        {
            Stop();
        }

        _stop.Dispose();
    }

    private async Task RunRequestAsync(string name, int[] ports, long basePair, NameEntry entry)
    {
        try
        {
            IPAddress[] addresses;
            try
            {
                addresses = await entry.Resolution.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                ReportNotResolved(name, ports, basePair, entry, e);
                return;
            }

            var items = new List<Item>();
            for (int i = 0; i < ports.Length; i++)
            {
                if (_options.AllAddresses)
                {
                    items.AddRange(addresses.Select(a => new Item(name, ports[i], basePair + i, [a])));
                }
                else
                {
                    items.Add(new Item(name, ports[i], basePair + i, addresses));
                }
            }

            await ProbeInRoundsAsync(items).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped: nothing more to report.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fault(e);
        }
        finally
        {
            lock (_gate)
            {
                _running--;
            }

            CheckFinished();
        }
    }

    private void ReportNotResolved(string name, int[] ports, long basePair, NameEntry entry, Exception error)
    {
        if (error is not SocketShellException sse)
        {
            sse = new SocketShellException(SocketErrorKind.HostNotFound, $"The name '{name}' could not be resolved: {error.Message}", name, error);
        }

        if (Interlocked.Exchange(ref entry.Reported, 1) == 0)
        {
            _onNameNotResolved?.Invoke(sse);
        }

        for (int i = 0; i < ports.Length && !_stop.IsCancellationRequested; i++)
        {
            _onResult(basePair + i, new PortStatus
            {
                ComputerName = name,
                Port = ports[i],
                Protocol = TransportProtocol.Udp,
                Status = PortState.HostNotFound,
                Service = _services.LookupFirst(ports[i], PortProtocol.Udp),
            });
        }
    }

    /// <summary>
    /// Probes every item; answers are reported as they come. The silent ones are probed again: in
    /// batches while batches bring answers (a rate-limited host answers a few per round, so a batch is
    /// twice the last round's answers, at least <see cref="MinimumBatch"/>, not every silent port again),
    /// and when a batch brings none, in a full round of every silent port. They are reported
    /// OpenOrFiltered once such a full retry round brings no answer at all.
    /// </summary>
    private async Task ProbeInRoundsAsync(List<Item> items)
    {
        List<Item> pending = items;
        bool full = true;
        long roundStart = 0;
        int size = MinimumBatch;
        for (int round = 1; pending.Count > 0; round++)
        {
            if (round > 1)
            {
                // A retry round starts one limit period after the round before it started, so a host
                // that rate-limits its ICMP errors has a token again for this round's datagrams.
                TimeSpan since = _time.GetElapsedTime(roundStart);
                if (since < RetryRoundMinimum)
                {
                    await Task.Delay(RetryRoundMinimum - since, _time, _stop.Token).ConfigureAwait(false);
                }
            }

            _stop.Token.ThrowIfCancellationRequested();
            roundStart = _time.GetTimestamp();
            List<Item> batch = full ? pending : pending.GetRange(0, Math.Min(pending.Count, size));
            full = batch.Count == pending.Count;
            bool[] answered = await Task.WhenAll(batch.Select(item => ProbeAsync(item, _options.Timeout))).ConfigureAwait(false);
            int answers = answered.Count(a => a);

            // Not probed this round first, then this batch's still-silent ones (or those that moved on to their next address).
            var next = new List<Item>(pending.Count);
            next.AddRange(pending.Skip(batch.Count));
            next.AddRange(batch.Where(item => !item.Reported));
            if (round > 1)
            {
                Interlocked.Add(ref _retries, batch.Count);
            }
            if (answers == 0 && full && round > 1)
            {
                foreach (Item item in next)
                {
                    Report(item, item.LastSilent!);
                }

                return;
            }

            full = answers == 0; // a silent batch: confirm with every silent port
            size = Math.Max(MinimumBatch, 2 * answers);
            pending = next;
        }
    }

    /// <summary>One datagram to the item's current address; true when an answer came (reported, or the item moved on to its next address).</summary>
    private async Task<bool> ProbeAsync(Item item, TimeSpan wait)
    {
        CancellationToken stop = _stop.Token;
        await _throttle.WaitAsync(stop).ConfigureAwait(false);
        Socket? socket = null;
        try
        {
            IPAddress address = item.Addresses[item.AddressIndex];
            var status = new PortStatus
            {
                ComputerName = item.Name,
                RemoteIP = address,
                Port = item.Port,
                Protocol = TransportProtocol.Udp,
            };

            long start = 0;
            SocketError answer;
            // The silence deadline runs on the scan's clock; a stop cancels it too.
            using var deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
            using CancellationTokenRegistration stopped = stop.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
            try
            {
                socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                Interlocked.Increment(ref _openSockets);
                socket.Connect(new IPEndPoint(address, item.Port));
                start = _time.GetTimestamp();
                socket.Send(_payload); // a datagram is handed to the kernel at once
                deadline.CancelAfter(wait);
                using var answerArgs = new UdpAnswerArgs();
                using (deadline.Token.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket))
                {
                    answer = await answerArgs.WaitAsync(socket).ConfigureAwait(false);
                }

                if (answer == SocketError.Success)
                {
                    status.Latency = _time.GetElapsedTime(start);
                    byte[] reply = new byte[Math.Max(socket.Available, 1)];
                    int n = socket.Receive(reply);
                    status.BannerBytes = n == reply.Length ? reply : reply.AsSpan(0, n).ToArray();
                    status.Banner = PostConnectStage.DecodeBanner(status.BannerBytes);
                }
            }
            catch (SocketException e)
            {
                answer = e.SocketErrorCode;
            }
            catch (ObjectDisposedException)
            {
                answer = SocketError.OperationAborted; // the deadline closed it just as the answer came
            }

            stop.ThrowIfCancellationRequested();
            switch (answer)
            {
                case SocketError.Success:
                    status.Status = PortState.Open;
                    break;

                // ICMP port unreachable: ECONNREFUSED on a connected UDP socket (WSAECONNRESET on Windows).
                case SocketError.ConnectionRefused or SocketError.ConnectionReset:
                    status.Status = PortState.Closed;
                    status.Latency = start == 0 ? null : _time.GetElapsedTime(start);
                    break;
                case SocketError.OperationAborted or SocketError.TimedOut:
                    status.Status = PortState.OpenOrFiltered; // silence until the deadline
                    item.LastSilent = status;
                    return false;
                case SocketError.NoBufferSpaceAvailable or SocketError.TooManyOpenSockets or SocketError.AddressNotAvailable or SocketError.AddressAlreadyInUse:
                    throw new SocketShellException(SocketErrorKind.Unknown, $"UDP probes fail for lack of local resources ({answer}); lower ThrottleLimit or raise the open-file limit.", EndPointText.Format(item.Name, item.Port));
                default:
                    status.Status = PortState.Unreachable;
                    break;
            }

            if (status.Status != PortState.Open)
            {
                // The rule shared with TCP: a refusal (or another ICMP error) passes the port on to the
                // next address; when none is left the most telling failure is the result.
                item.FirstFailure = AddressFallback.MoreTelling(item.FirstFailure, PortScanner.FailureRank(item.FirstFailure), status, PortScanner.FailureRank(status), FallbackTie.Earlier);
                if (AddressFallback.TriesNext(answered: false, item.AddressIndex, item.Addresses.Length))
                {
                    item.AddressIndex++;
                    return true; // an answer (this address refused): the next address is tried in the next round
                }

                status = item.FirstFailure;
            }

            Report(item, status);
            return true;
        }
        finally
        {
            if (socket is not null)
            {
                socket.Dispose();
                Interlocked.Decrement(ref _openSockets);
            }

            _throttle.Release();
        }
    }

    private void Report(Item item, PortStatus status)
    {
        item.Reported = true;
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        status.Service = _services.LookupFirst(status.Port, PortProtocol.Udp);
        try
        {
            _onResult(item.Pair, status);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fault(e);
        }
    }

    private void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed: nothing runs any more.
        }
    }

    private void Fault(Exception e)
    {
        lock (_gate)
        {
            _fault ??= e;
        }

        Stop();
    }

    private void CheckFinished()
    {
        lock (_gate)
        {
            if (_finished || _running != 0 || !(_completeCalled || _stop.IsCancellationRequested))
            {
                return;
            }

            _finished = true;
        }

        if (_fault is not null)
        {
            _completion.TrySetException(_fault);
        }
        else if (_stop.IsCancellationRequested)
        {
            _completion.TrySetCanceled(_callerToken.IsCancellationRequested ? _callerToken : new CancellationToken(canceled: true));
        }
        else
        {
            _completion.TrySetResult();
        }
    }

    private sealed class NameEntry(Task<IPAddress[]> resolution)
    {
        public Task<IPAddress[]> Resolution { get; } = resolution;

        public int Reported;
    }

    /// <summary>One (name, port) pair, or (name, port, address) with AllAddresses.</summary>
    private sealed class Item(string name, int port, long pair, IPAddress[] addresses)
    {
        public string Name { get; } = name;

        public int Port { get; } = port;

        public long Pair { get; } = pair;

        public IPAddress[] Addresses { get; } = addresses;

        public int AddressIndex { get; set; }

        public PortStatus? FirstFailure { get; set; }

        public PortStatus? LastSilent { get; set; }

        public bool Reported { get; set; }
    }
}
