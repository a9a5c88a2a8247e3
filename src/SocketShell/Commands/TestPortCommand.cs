using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using SocketShell.Common;
using SocketShell.Completers;
using SocketShell.Resources;
using SocketShell.Scan;
using SocketShell.Transformations;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Tests TCP ports on many hosts in parallel with a connect probe, like nmap's connect scan.</para>
/// </summary>
/// <remarks>
/// Parameter sets, kept to two so that pipeline input never makes binding ambiguous
/// (<c>'host' | Test-Port -Port 22 -Quiet</c>, <c>Import-Csv | Test-Port -Wait</c>):
/// <list type="bullet">
/// <item>Default: one probe per host and port (-Open, -AllAddresses shape the PortStatus results);</item>
/// <item>Wait: -Wait (mandatory) and -WaitTimeout: retry each host and port until it opens.</item>
/// </list>
/// -Quiet is a modifier of both (bool results instead of PortStatus); with -Open or -AllAddresses it is a
/// ParameterConflict error. A new probe kind (TLS, UDP, latency) should be a modifier switch like -Quiet or
/// a set of its own with one mandatory switch, never a set that shares all its switches with another.
/// </remarks>
[Cmdlet(VerbsDiagnostic.Test, "Port", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(PortStatus), typeof(bool), ParameterSetName = [DefaultSet, WaitSet, PathSet])]
public sealed class TestPortCommand : SocketCmdletBase
{
    private const string DefaultSet = "Default";
    private const string WaitSet = "Wait";
    private const string PathSet = "Path";
    private const int ProgressThreshold = 1000;
    private static readonly long s_progressInterval = Stopwatch.Frequency / 4;

    private readonly ConcurrentQueue<object> _results = new();
    private readonly Dictionary<long, bool> _quietPending = [];
    private PortScanner? _scanner;
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
    [Alias("HostName", "TargetName", "IPAddress", "LocalAddress")]
    [ListeningAddressTransformation]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = [];

    /// <summary>The TCP ports to probe on every host.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true,
        HelpMessage = "The TCP ports to probe on every host: numbers, 1..1024, or lists such as '22,80,8000-8100'.")]
    [Parameter(ParameterSetName = WaitSet, Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true,
        HelpMessage = "The TCP ports to probe on every host: numbers, 1..1024, or lists such as '22,80,8000-8100'.")]
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
    [ValidateRange(1, 65535)]
    public int ThrottleLimit { get; set; } = PortScanOptions.SuggestedThrottleLimit();

    /// <summary>Which addresses of a name to use.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Which addresses of a name to probe: Any (default), IPv4 or IPv6.")]
    [Parameter(ParameterSetName = WaitSet, HelpMessage = "Which addresses of a name to probe: Any (default), IPv4 or IPv6.")]
    public IPFamily AddressFamily { get; set; } = IPFamily.Any;

    /// <summary>Probe every address a name resolves to.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Probe every address each name resolves to (one result per address), not just the first that accepts.")]
    public SwitchParameter AllAddresses { get; set; }

    /// <summary>Write only open results.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Write only the results of open ports.")]
    public SwitchParameter Open { get; set; }

    /// <summary>Write one bool per host and port, in input order.</summary>
    [Parameter(HelpMessage = "Write one bool per host and port (true when open), in input order, and no errors.")]
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

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (ParameterSetName == PathSet)
        {
            return;
        }

        if (IsQuiet && (Open.IsPresent || AllAddresses.IsPresent))
        {
            string message = string.Format(CultureInfo.CurrentCulture, Messages.QuietConflict, Open.IsPresent ? "-Open" : "-AllAddresses");
            ThrowTerminatingError(SocketErrors.Record(new ArgumentException(message), ErrorIds.ParameterConflict, null));
        }

        var options = new PortScanOptions
        {
            Timeout = Timeout,
            ThrottleLimit = ThrottleLimit,
            AddressFamily = AddressFamily,
            AllAddresses = AllAddresses.IsPresent,
            Wait = IsWait,
            WaitTimeout = WaitTimeout,
        };
        _scanner = new PortScanner(
            options,
            (pair, status) => _results.Enqueue(new Result(pair, status)),
            e => _results.Enqueue(e),
            CancellationToken,
            (_, status) => _results.Enqueue(new Attempt(status)));
        if (_scanner.ThrottleLimit < ThrottleLimit)
        {
            WriteWarning(string.Format(CultureInfo.CurrentCulture, Messages.ThrottleLimitCapped, ThrottleLimit, _scanner.ThrottleLimit));
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

            _pairs += Port.Length;
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
        if (_pairs > ProgressThreshold && !IsWait)
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
            WriteObject(status);
            if (IsWait && !status.Open && status.Status != PortState.HostNotFound)
            {
                string target = EndPointText.Format(status.ComputerName, status.Port);
                string message = string.Format(CultureInfo.CurrentCulture, Messages.PortWaitTimeout, target, SocketShell.Common.DurationText.Format(WaitTimeout), status.Status);
                WriteSocketError(new TimeoutException(message), target, ErrorIds.WaitTimeout);
            }
        }

        UpdateProgress(force: false);
    }

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
        if (_pairs <= ProgressThreshold || IsWait)
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
