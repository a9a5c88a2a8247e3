using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Security.Authentication;
using SocketShell.Common;
using SocketShell.Completers;
using SocketShell.Resources;
using SocketShell.Scan;
using SocketShell.Transformations;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Tests TCP or UDP ports on many hosts in parallel (a connect scan, TLS certificates, banners, latency series, UDP probes).</para>
/// </summary>
/// <remarks>
/// Parameter sets, kept to two so that pipeline input never makes binding ambiguous
/// (<c>'host' | Test-Port -Port 22 -Quiet</c>, <c>Import-Csv | Test-Port -Wait</c>):
/// <list type="bullet">
/// <item>Default: one probe per host and port (-Open, -AllAddresses shape the PortStatus results);</item>
/// <item>Wait: -Wait (mandatory) and -WaitTimeout: retry each host and port until it opens;</item>
/// <item>Count, Continuous: a latency series, each set with its one mandatory switch (-Count, -Continuous).</item>
/// </list>
/// -Quiet is a modifier of Default and Wait (bool results instead of PortStatus); with -Open, -AllAddresses,
/// -Tls, -ReadBanner or -Send it is a ParameterConflict error. -Tls, -ReadBanner, -Send are modifiers of
/// Default and Wait; -Protocol Udp and -Payload of Default, where the TCP-only modifiers are a
/// TcpOnlyParameter error (the sets cannot depend on -Protocol's value).
/// </remarks>
[Cmdlet(VerbsDiagnostic.Test, "Port", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(PortStatus), typeof(bool), ParameterSetName = [DefaultSet, WaitSet, PathSet])]
[OutputType(typeof(PortStatus), ParameterSetName = [CountSet, ContinuousSet])]
public sealed class TestPortCommand : SocketCmdletBase
{
    private const string DefaultSet = "Default";
    private const string WaitSet = "Wait";
    private const string PathSet = "Path";
    private const string CountSet = "Count";
    private const string ContinuousSet = "Continuous";

    /// <summary>Type names inserted before SocketShell.PortStatus to select a view of the format file.</summary>
    private const string TlsView = "SocketShell.PortStatus#Tls";
    private const string BannerView = "SocketShell.PortStatus#Banner";
    private const string SeriesView = "SocketShell.PortStatus#Series";
    private const string UdpView = "SocketShell.PortStatus#Udp";
    private const int ProgressThreshold = 1000;
    private static readonly long s_progressInterval = Stopwatch.Frequency / 4;

    private readonly ConcurrentQueue<object> _results = new();
    private readonly Dictionary<long, bool> _quietPending = [];
    private IPortScan? _scanner;
    private string? _view;
    private Timer? _progressTicks;
    private long _pairs;
    private long _nextQuiet;
    private long _done;
    private long _open;
    private long _closed;
    private long _timedOut;
    private long _lastProgress;
    private bool _progressShown;

    /// <summary>The hosts to probe.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
        HelpMessage = "The hosts to probe: DNS names or IPv4/IPv6 literals.")]
    [Parameter(ParameterSetName = WaitSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
        HelpMessage = "The hosts to probe: DNS names or IPv4/IPv6 literals.")]
    [Parameter(ParameterSetName = CountSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
        HelpMessage = "The hosts to probe: DNS names or IPv4/IPv6 literals.")]
    [Parameter(ParameterSetName = ContinuousSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
        HelpMessage = "The hosts to probe: DNS names or IPv4/IPv6 literals.")]
    [Alias("HostName", "TargetName", "IPAddress", "LocalAddress")]
    [ListeningAddressTransformation]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = [];

    /// <summary>The ports to probe on every host.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true,
        HelpMessage = "The ports to probe on every host (TCP, or UDP with -Protocol Udp): numbers, 1..1024, or lists such as '22,80,8000-8100'.")]
    [Parameter(ParameterSetName = WaitSet, Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true,
        HelpMessage = "The ports to probe on every host (TCP, or UDP with -Protocol Udp): numbers, 1..1024, or lists such as '22,80,8000-8100'.")]
    [Parameter(ParameterSetName = CountSet, Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true,
        HelpMessage = "The ports to probe on every host (TCP, or UDP with -Protocol Udp): numbers, 1..1024, or lists such as '22,80,8000-8100'.")]
    [Parameter(ParameterSetName = ContinuousSet, Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true,
        HelpMessage = "The ports to probe on every host (TCP, or UDP with -Protocol Udp): numbers, 1..1024, or lists such as '22,80,8000-8100'.")]
    [Alias("LocalPort")]
    [PortListTransformation]
    [ValidateNotNullOrEmpty]
    [ValidateRange(1, 65535)]
    [ArgumentCompleter(typeof(PortCompleter))]
    public int[] Port { get; set; } = [];

    /// <summary>How long one connection attempt waits for an answer.</summary>
    [Parameter(HelpMessage = "How long one connection attempt waits for an answer (default 1 s): seconds, '250ms', '5s', or a TimeSpan.")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many probes may be in flight at once.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "How many probes may be in flight at once (default 512, or half the open-file limit if lower); each holds one socket.")]
    [Parameter(ParameterSetName = WaitSet, HelpMessage = "How many probes may be in flight at once (default 512, or half the open-file limit if lower); each holds one socket.")]
    [Parameter(ParameterSetName = CountSet, HelpMessage = "How many probes may be in flight at once (default 512, or half the open-file limit if lower); each holds one socket.")]
    [Parameter(ParameterSetName = ContinuousSet, HelpMessage = "How many probes may be in flight at once (default 512, or half the open-file limit if lower); each holds one socket.")]
    [ValidateRange(1, 65535)]
    public int ThrottleLimit { get; set; } = PortScanOptions.SuggestedThrottleLimit();

    /// <summary>Which addresses of a name to use.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Which addresses of a name to probe: Any (default), IPv4 or IPv6.")]
    [Parameter(ParameterSetName = WaitSet, HelpMessage = "Which addresses of a name to probe: Any (default), IPv4 or IPv6.")]
    [Parameter(ParameterSetName = CountSet, HelpMessage = "Which addresses of a name to probe: Any (default), IPv4 or IPv6.")]
    [Parameter(ParameterSetName = ContinuousSet, HelpMessage = "Which addresses of a name to probe: Any (default), IPv4 or IPv6.")]
    public IPFamily AddressFamily { get; set; } = IPFamily.Any;

    /// <summary>Tcp (a connect probe, the default) or Udp (a datagram probe).</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Tcp (a connect probe, the default) or Udp (a datagram per port: reply Open, ICMP port unreachable Closed, silence OpenOrFiltered).")]
    [ValidateSet("Tcp", "Udp")]
    public TransportProtocol Protocol { get; set; } = TransportProtocol.Tcp;

    /// <summary>With -Protocol Udp: the datagram sent to each port.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "With -Protocol Udp: the datagram sent to each port, a string (UTF-8) or a byte array (default: an empty datagram).")]
    public object? Payload { get; set; }

    /// <summary>Probe every address a name resolves to.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Probe every address each name resolves to (one result per address), not just the first that accepts.")]
    [Parameter(ParameterSetName = CountSet, HelpMessage = "Probe every address each name resolves to (one result per address), not just the first that accepts.")]
    [Parameter(ParameterSetName = ContinuousSet, HelpMessage = "Probe every address each name resolves to (one result per address), not just the first that accepts.")]
    public SwitchParameter AllAddresses { get; set; }

    /// <summary>After an open TCP handshake, negotiate TLS and record the certificate.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "After an open handshake, negotiate TLS and record the protocol, cipher suite and certificate (valid or not: a failure is recorded, never fatal).")]
    [Parameter(ParameterSetName = WaitSet, HelpMessage = "After an open handshake, negotiate TLS and record the protocol, cipher suite and certificate (valid or not: a failure is recorded, never fatal).")]
    public SwitchParameter Tls { get; set; }

    /// <summary>The name sent as SNI and checked against the certificate.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "With -Tls: the name sent as SNI and checked against the certificate (default: the name given).")]
    [Parameter(ParameterSetName = WaitSet, HelpMessage = "With -Tls: the name sent as SNI and checked against the certificate (default: the name given).")]
    [ValidateNotNullOrEmpty]
    public string? ServerName { get; set; }

    /// <summary>The TLS versions the handshake may use.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "With -Tls: the TLS versions allowed, e.g. Tls12 or Tls13 (default: what the system allows).")]
    [Parameter(ParameterSetName = WaitSet, HelpMessage = "With -Tls: the TLS versions allowed, e.g. Tls12 or Tls13 (default: what the system allows).")]
    public SslProtocols TlsProtocol { get; set; } = SslProtocols.None;

    /// <summary>How long the TLS handshake may take.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "With -Tls: how long the TLS handshake may take (default: -Timeout).")]
    [Parameter(ParameterSetName = WaitSet, HelpMessage = "With -Tls: how long the TLS handshake may take (default: -Timeout).")]
    [TimeoutTransformation]
    public TimeSpan TlsTimeout { get; set; }

    /// <summary>After an open handshake (and TLS), read what the service sends first.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "After an open handshake (and TLS), read what the service sends first (up to 1 KiB, within -Timeout) into Banner.")]
    [Parameter(ParameterSetName = WaitSet, HelpMessage = "After an open handshake (and TLS), read what the service sends first (up to 1 KiB, within -Timeout) into Banner.")]
    public SwitchParameter ReadBanner { get; set; }

    /// <summary>Sent after the handshake (and TLS); what comes back is read into Banner.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Sent after an open handshake (and TLS), a string (UTF-8) or bytes; the answer is read into Banner (implies -ReadBanner).")]
    [Parameter(ParameterSetName = WaitSet, HelpMessage = "Sent after an open handshake (and TLS), a string (UTF-8) or bytes; the answer is read into Banner (implies -ReadBanner).")]
    public object? Send { get; set; }

    /// <summary>A latency series: probe each host and port this many times.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CountSet, HelpMessage = "A latency series: probe each host and port this many times, a new connection each time, one result per attempt.")]
    [ValidateRange(1, int.MaxValue)]
    public int Count { get; set; } = 1;

    /// <summary>A latency series until Ctrl+C.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ContinuousSet, HelpMessage = "A latency series until Ctrl+C: probe each host and port again every -Interval, one result per attempt.")]
    public SwitchParameter Continuous { get; set; }

    /// <summary>In a series: the time between the starts of two attempts.</summary>
    [Parameter(ParameterSetName = CountSet, HelpMessage = "In a series: the time between the starts of two attempts on a host and port (default 1 s; 0: back to back).")]
    [Parameter(ParameterSetName = ContinuousSet, HelpMessage = "In a series: the time between the starts of two attempts on a host and port (default 1 s; 0: back to back).")]
    [TimeoutTransformation(AllowZero = true)]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Write only open results.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Write only the results of open ports.")]
    public SwitchParameter Open { get; set; }

    /// <summary>Write one bool per host and port, in input order.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Write one bool per host and port (true when open), in input order, and no errors.")]
    [Parameter(ParameterSetName = WaitSet, HelpMessage = "Write one bool per host and port (true when open), in input order, and no errors.")]
    [Parameter(ParameterSetName = PathSet, HelpMessage = "Write one bool per host and port (true when open), in input order, and no errors.")]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Keep probing until the port is open or the wait times out.</summary>
    [Parameter(Mandatory = true, ParameterSetName = WaitSet, HelpMessage = "Keep probing each host and port until it is open or -WaitTimeout has passed.")]
    [Parameter(ParameterSetName = PathSet, HelpMessage = "Keep probing each host and port until it is open or -WaitTimeout has passed.")]
    public SwitchParameter Wait { get; set; }

    /// <summary>The whole wait for each host and port.</summary>
    [Parameter(ParameterSetName = WaitSet, HelpMessage = "With -Wait: how long to keep trying each host and port in all (default 60 s); each attempt still ends after -Timeout.")]
    [Parameter(ParameterSetName = PathSet, HelpMessage = "With -Wait: how long to keep trying each host and port in all (default 60 s); each attempt still ends after -Timeout.")]
    [TimeoutTransformation]
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Unix socket paths to probe.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet,
        HelpMessage = "Unix domain socket paths to probe (or '@name' abstract names): Open, Closed (refused: a stale socket file), NotFound (nothing there, or not a socket) or AccessDenied.")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    private bool IsQuiet => Quiet.IsPresent;

    private bool IsWait => Wait.IsPresent;

    private bool IsUdp => Protocol == TransportProtocol.Udp;

    private bool IsSeries => ParameterSetName is CountSet or ContinuousSet;

    /// <summary>Probes written per (host, port): Count in a series, else one.</summary>
    private long ProbesPerPair => ParameterSetName == CountSet ? Count : 1;

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (ParameterSetName == PathSet)
        {
            return;
        }

        CheckCombinations();
        var options = new PortScanOptions
        {
            Timeout = Timeout,
            ThrottleLimit = ThrottleLimit,
            AddressFamily = AddressFamily,
            AllAddresses = AllAddresses.IsPresent,
            Wait = IsWait,
            WaitTimeout = WaitTimeout,
            Count = ParameterSetName == CountSet ? Count : 1,
            Continuous = Continuous.IsPresent,
            Interval = Interval,
            PostConnect = PostConnectFromParameters(),
        };
        if (IsUdp)
        {
            options.Payload = BytesOf(Payload, nameof(Payload));
            _scanner = new UdpPortScanner(options, (pair, status) => _results.Enqueue(new Result(pair, status)), e => _results.Enqueue(e), CancellationToken);
            _view = UdpView;
        }
        else
        {
            _scanner = new PortScanner(
                options,
                (pair, status) => _results.Enqueue(new Result(pair, status)),
                e => _results.Enqueue(e),
                CancellationToken,
                (_, status) => _results.Enqueue(new Attempt(status)));
            _view = Tls.IsPresent ? TlsView : options.PostConnect is { ReadBanner: true } ? BannerView : IsSeries ? SeriesView : null;
        }

        if (_scanner.ThrottleLimit < ThrottleLimit)
        {
            WriteWarning(string.Format(CultureInfo.CurrentCulture, Messages.ThrottleLimitCapped, ThrottleLimit, _scanner.ThrottleLimit));
        }
    }

    /// <summary>Refuses combinations the parameter sets cannot rule out (they depend on -Protocol's value, or on modifiers).</summary>
    private void CheckCombinations()
    {
        if (IsQuiet)
        {
            string? noEffect = Open.IsPresent ? "-Open" : AllAddresses.IsPresent ? "-AllAddresses" : Tls.IsPresent ? "-Tls"
                : ReadBanner.IsPresent ? "-ReadBanner" : Send is not null ? "-Send" : null;
            if (noEffect is not null)
            {
                string message = string.Format(CultureInfo.CurrentCulture, Messages.QuietConflict, noEffect);
                ThrowTerminatingError(SocketErrors.Record(new ArgumentException(message), ErrorIds.ParameterConflict, null));
            }
        }

        if (IsUdp)
        {
            string[] tcpOnly = ["Tls", "ServerName", "TlsProtocol", "TlsTimeout", "ReadBanner", "Send"];
            string? given = Array.Find(tcpOnly, MyInvocation.BoundParameters.ContainsKey);
            if (given is not null)
            {
                ThrowTerminatingError(SocketErrors.Record(new ArgumentException(string.Format(CultureInfo.CurrentCulture, Messages.UdpParameterConflict, given)), ErrorIds.TcpOnlyParameter, null));
            }
        }
        else if (MyInvocation.BoundParameters.ContainsKey(nameof(Payload)))
        {
            ThrowTerminatingError(SocketErrors.Record(new ArgumentException(Messages.PayloadWithoutUdp), ErrorIds.ParameterConflict, null));
        }

        if (!Tls.IsPresent && (MyInvocation.BoundParameters.ContainsKey(nameof(ServerName)) || MyInvocation.BoundParameters.ContainsKey(nameof(TlsProtocol)) || MyInvocation.BoundParameters.ContainsKey(nameof(TlsTimeout))))
        {
            ThrowTerminatingError(SocketErrors.Record(new ArgumentException(Messages.TlsOptionWithoutTlsProbe), ErrorIds.ParameterConflict, null));
        }
    }

    private PostConnectOptions? PostConnectFromParameters()
    {
        if (!Tls.IsPresent && !ReadBanner.IsPresent && Send is null)
        {
            return null;
        }

        byte[]? send = Send is null ? null : BytesOf(Send, nameof(Send));
        return new PostConnectOptions
        {
            Tls = Tls.IsPresent,
            ServerName = ServerName,
            TlsProtocol = TlsProtocol,
            TlsTimeout = MyInvocation.BoundParameters.ContainsKey(nameof(TlsTimeout)) ? TlsTimeout : null,
            ReadBanner = ReadBanner.IsPresent || send is not null,
            Send = send,
        };
    }

    private byte[] BytesOf(object? value, string parameter)
    {
        try
        {
            return global::SocketShell.Common.Payload.ToBytes(PortListTransformationAttribute.Unwrap(value), global::SocketShell.Common.Payload.Utf8NoBom);
        }
        catch (SocketShellException e) when (e.Kind == SocketErrorKind.InvalidPayload)
        {
            ThrowTerminatingError(SocketErrors.Record(new ArgumentException(string.Format(CultureInfo.CurrentCulture, Messages.ProbePayloadInvalid, parameter, e.Message), e), ErrorIds.InvalidPayload, value));
            throw; // not reached: ThrowTerminatingError throws
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet)
        {
            ProbePaths();
            return;
        }

        foreach (string name in ComputerName)
        {
            try
            {
                _scanner!.Add(name, Port);
            }
            catch (SocketShellException e)
            {
                // Not a host (blank, a port inside it, a resolver shorthand such as '22'): nothing is resolved or sent.
                WriteSocketError(e, name);
                continue;
            }

            _pairs += Port.Length * ProbesPerPair;
        }

        // Results of earlier records that are ready now: write them without waiting.
        while (_results.TryDequeue(out object? item))
        {
            Write(item);
        }

        UpdateProgress(force: false);
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (ParameterSetName == PathSet)
        {
            return;
        }

        _scanner!.Complete();
        if (ShowsProgress)
        {
            // Results can pause for a whole Timeout (a wave of silent ports): tick the progress record
            // anyway, a few times a second, from the pipeline thread's queue.
            _progressTicks = new Timer(static s => ((ConcurrentQueue<object>)s!).Enqueue(ProgressTick.Instance), _results, 250, 250);
        }

        try
        {
            WaitAndDrain(_scanner.Completion, _results, Write);
        }
        finally
        {
            _progressTicks?.Dispose();
            if (_progressShown)
            {
                WriteProgress(new ProgressRecord(1, Messages.PortProgressActivity, " ") { RecordType = ProgressRecordType.Completed });
            }
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _progressTicks?.Dispose();
            _scanner?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Write(object item)
    {
        if (item is SocketShellException notResolved)
        {
            if (!IsQuiet)
            {
                WriteSocketError(notResolved, notResolved.Target);
            }

            return;
        }

        if (item is ProgressTick)
        {
            UpdateProgress(force: false);
            return;
        }

        if (item is Attempt attempt)
        {
            // Every attempt of a wait ends here, the last included; only the ones that will be retried are news.
            if (!attempt.Status.Open && attempt.Status.Status != PortState.HostNotFound)
            {
                WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.PortWaitAttempt, EndPointText.Format(attempt.Status.ComputerName, attempt.Status.Port), attempt.Status.Status));
            }

            return;
        }

        var (pair, status) = (Result)item;
        _done++;
        switch (status.Status)
        {
            case PortState.Open: _open++; break;
            case PortState.Closed: _closed++; break;
            case PortState.TimedOut: _timedOut++; break;
        }

        if (IsQuiet)
        {
            _quietPending[pair] = status.Open;
            while (_quietPending.Remove(_nextQuiet, out bool open))
            {
                WriteObject(open);
                _nextQuiet++;
            }
        }
        else if (!Open.IsPresent || status.Open)
        {
            if (_view is null)
            {
                WriteObject(status);
            }
            else
            {
                var viewed = PSObject.AsPSObject(status);
                viewed.TypeNames.Insert(0, _view);
                WriteObject(viewed);
            }

            if (IsWait && !status.Open && status.Status != PortState.HostNotFound)
            {
                string target = EndPointText.Format(status.ComputerName, status.Port);
                string message = string.Format(CultureInfo.CurrentCulture, Messages.PortWaitTimeout, target, SocketShell.Common.DurationText.Format(WaitTimeout), status.Status);
                WriteSocketError(new TimeoutException(message), target, ErrorIds.WaitTimeout);
            }
        }

        UpdateProgress(force: false);
    }

    /// <summary>Progress for bounded long work only: more than 1,000 probes, not a wait, not an endless series.</summary>
    private bool ShowsProgress => _pairs > ProgressThreshold && !IsWait && !Continuous.IsPresent;

    private void ProbePaths()
    {
        foreach (string given in Path)
        {
            string path = UnixPaths.Resolve(this, given);
            PortStatus status;
            try
            {
                if (IsWait)
                {
                    var attempts = new ConcurrentQueue<PortStatus>();
                    Task<PortStatus> waiting = Unix.UnixSocketProbe.WaitAsync(path, Timeout, WaitTimeout, attempts.Enqueue, CancellationToken);
                    WaitAndDrain(waiting, attempts, a => WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.PortWaitAttempt, path, a.Status)));
                    status = waiting.Result;
                }
                else
                {
                    status = WaitFor(Unix.UnixSocketProbe.ProbeAsync(path, Timeout, CancellationToken));
                }
            }
            catch (SocketShellException e)
            {
                if (IsQuiet)
                {
                    WriteObject(false);
                }
                else
                {
                    WriteSocketError(e, path);
                }

                continue;
            }

            if (IsQuiet)
            {
                WriteObject(status.Open);
            }
            else
            {
                WriteObject(status);
                if (IsWait && !status.Open)
                {
                    string message = string.Format(CultureInfo.CurrentCulture, Messages.PortWaitTimeout, path, SocketShell.Common.DurationText.Format(WaitTimeout), status.Status);
                    WriteSocketError(new TimeoutException(message), path, ErrorIds.WaitTimeout);
                }
            }
        }
    }

    private void UpdateProgress(bool force)
    {
        if (!ShowsProgress)
        {
            return;
        }

        long now = Stopwatch.GetTimestamp();
        if (!force && _progressShown && now - _lastProgress < s_progressInterval)
        {
            return;
        }

        _lastProgress = now;
        _progressShown = true;
        string status = string.Format(CultureInfo.CurrentCulture, Messages.PortProgressStatus, _done, _pairs, _open, _closed, _timedOut, _done - _open - _closed - _timedOut);
        WriteProgress(new ProgressRecord(1, Messages.PortProgressActivity, status)
        {
            PercentComplete = (int)Math.Min(100, _done * 100 / _pairs),
        });
    }

    private sealed record Result(long Pair, PortStatus Status);

    private sealed record Attempt(PortStatus Status);

    private sealed class ProgressTick
    {
        public static readonly ProgressTick Instance = new();
    }
}
