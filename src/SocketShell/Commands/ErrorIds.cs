using System.Management.Automation;

namespace SocketShell.Commands;

/// <summary>
/// The one catalogue of ErrorIds the module raises, each with its ErrorCategory. Engine failures carry a
/// <see cref="SocketErrorKind"/> whose name is the id (the constants below that name a kind are the same
/// string, for cmdlets that look an id up); every other id is a constant here, for the module's own
/// parameter checks. Failures are told apart by kind, never by the .NET exception type. Messages come
/// from Resources/Messages.resx (or the engine's exception). Every id is listed, with its meaning, in
/// docs/en-US/about_SocketShell.md ("Errors"); SocketShell.Tests.ErrorCatalogueTests fails when an id
/// is raised but not catalogued or not documented.
/// </summary>
internal static class ErrorIds
{
    /// <summary>A socket failure SocketShell does not classify more precisely.</summary>
    public const string SocketOperationFailed = nameof(SocketOperationFailed);

    /// <summary>Data to send (a payload, banner or response) that is not a string, bytes or byte values.</summary>
    public const string InvalidPayload = nameof(SocketErrorKind.InvalidPayload);

    /// <summary>Start-SocketListener -Address that is not a literal address or Any.</summary>
    public const string InvalidListenAddress = nameof(InvalidListenAddress);

    /// <summary>Listener options that contradict each other or cannot work (e.g. Reply mode without a response).</summary>
    public const string InvalidListenerOptions = nameof(SocketErrorKind.InvalidListenerOptions);

    /// <summary>An option that does nothing in the chosen mode (e.g. -Response without -Mode Reply).</summary>
    public const string ListenerOptionConflict = nameof(ListenerOptionConflict);

    /// <summary>A listener name with wildcard characters (it could never be selected by name alone).</summary>
    public const string InvalidListenerName = nameof(InvalidListenerName);

    /// <summary>A TCP-only option given with UDP: a listener option to a UDP listener, a Test-Port probe option with -Protocol Udp.</summary>
    public const string TcpOnlyParameter = nameof(SocketErrorKind.TcpOnlyParameter);

    /// <summary>A listener name already used by a running listener of the session.</summary>
    public const string ListenerNameInUse = nameof(SocketErrorKind.ListenerNameInUse);

    /// <summary>No running listener of the session has that id or name.</summary>
    public const string ListenerNotFound = nameof(SocketErrorKind.ListenerNotFound);

    /// <summary>A wait for messages ended because the listener stopped.</summary>
    public const string ListenerStopped = nameof(ListenerStopped);

    /// <summary>A listener did not finish stopping in time.</summary>
    public const string StopTimeout = nameof(SocketErrorKind.StopTimeout);

    /// <summary>No connection of the session has that id.</summary>
    public const string SocketNotFound = nameof(SocketErrorKind.SocketNotFound);

    /// <summary>Receive-SocketData waited and nothing (or too little) arrived in time.</summary>
    public const string ReceiveTimeout = nameof(ReceiveTimeout);

    /// <summary>-Line, -Until and -ByteCount given together.</summary>
    public const string ReceiveModeConflict = nameof(ReceiveModeConflict);

    /// <summary>Two parameters that cannot act together (e.g. Test-Port -Quiet with -Open, -Payload without -Protocol Udp).</summary>
    public const string ParameterConflict = nameof(ParameterConflict);

    /// <summary>-NewLine and -NoNewline given together.</summary>
    public const string NewLineConflict = nameof(NewLineConflict);

    /// <summary>Test-Port -Wait: the port did not open within -WaitTimeout.</summary>
    public const string WaitTimeout = nameof(WaitTimeout);

    /// <summary>Fewer free ports than asked for in the range.</summary>
    public const string NotEnoughFreePorts = nameof(SocketErrorKind.NotEnoughFreePorts);

    /// <summary>-Start greater than -End.</summary>
    public const string StartAfterEnd = nameof(StartAfterEnd);

    /// <summary>The system's port range could not be read (or makes no sense).</summary>
    public const string PortRangeUnavailable = nameof(SocketErrorKind.PortRangeUnavailable);

    /// <summary>The socket table could not be read.</summary>
    public const string SocketTableUnavailable = nameof(SocketErrorKind.SocketTableUnavailable);

    /// <summary>This operating system has no socket table source.</summary>
    public const string SocketTableNotSupported = nameof(SocketErrorKind.SocketTableNotSupported);

    private static readonly Dictionary<string, ErrorCategory> s_categories = new(StringComparer.Ordinal)
    {
        // Engine kinds (SocketErrorKind names).
        [nameof(SocketErrorKind.ConnectionRefused)] = ErrorCategory.ConnectionError,
        [nameof(SocketErrorKind.ConnectTimeout)] = ErrorCategory.OperationTimeout,
        [nameof(SocketErrorKind.OperationTimeout)] = ErrorCategory.OperationTimeout,
        [nameof(SocketErrorKind.HostNotFound)] = ErrorCategory.ObjectNotFound,
        [nameof(SocketErrorKind.NetworkUnreachable)] = ErrorCategory.ConnectionError,
        [nameof(SocketErrorKind.PortInUse)] = ErrorCategory.ResourceUnavailable,
        [nameof(SocketErrorKind.AccessDenied)] = ErrorCategory.PermissionDenied,
        [nameof(SocketErrorKind.AddressNotAvailable)] = ErrorCategory.InvalidArgument,
        [nameof(SocketErrorKind.ConnectionReset)] = ErrorCategory.ConnectionError,
        [nameof(SocketErrorKind.ConnectionClosed)] = ErrorCategory.InvalidOperation,
        [nameof(SocketErrorKind.TlsHandshakeFailed)] = ErrorCategory.SecurityError,
        [nameof(SocketErrorKind.DatagramTooLarge)] = ErrorCategory.InvalidArgument,
        [nameof(SocketErrorKind.BroadcastNotAllowed)] = ErrorCategory.InvalidArgument,
        [nameof(SocketErrorKind.InvalidMulticastGroup)] = ErrorCategory.InvalidArgument,
        [nameof(SocketErrorKind.InvalidComputerName)] = ErrorCategory.InvalidArgument,
        [nameof(SocketErrorKind.InvalidPort)] = ErrorCategory.InvalidArgument,
        [nameof(SocketErrorKind.InvalidListenerOptions)] = ErrorCategory.InvalidArgument,
        [nameof(SocketErrorKind.TcpOnlyParameter)] = ErrorCategory.InvalidArgument,
        [nameof(SocketErrorKind.PathNotFound)] = ErrorCategory.ObjectNotFound,
        [nameof(SocketErrorKind.NotASocket)] = ErrorCategory.InvalidArgument,
        [nameof(SocketErrorKind.PathInUse)] = ErrorCategory.ResourceExists,
        [nameof(SocketErrorKind.InvalidSocketPath)] = ErrorCategory.InvalidArgument,
        [nameof(SocketErrorKind.ListenerNameInUse)] = ErrorCategory.ResourceExists,
        [nameof(SocketErrorKind.ListenerNotFound)] = ErrorCategory.ObjectNotFound,
        [nameof(SocketErrorKind.StopTimeout)] = ErrorCategory.OperationTimeout,
        [nameof(SocketErrorKind.SocketNotFound)] = ErrorCategory.ObjectNotFound,
        [nameof(SocketErrorKind.NotEnoughFreePorts)] = ErrorCategory.ResourceUnavailable,
        [nameof(SocketErrorKind.PortRangeUnavailable)] = ErrorCategory.ReadError,
        [nameof(SocketErrorKind.SocketTableUnavailable)] = ErrorCategory.ReadError,
        [nameof(SocketErrorKind.SocketTableNotSupported)] = ErrorCategory.NotImplemented,
        [nameof(SocketErrorKind.ReceiveInProgress)] = ErrorCategory.ResourceBusy,
        [nameof(SocketErrorKind.FrameTooLong)] = ErrorCategory.LimitsExceeded,

        // Module ids.
        [SocketOperationFailed] = ErrorCategory.NotSpecified,
        [InvalidPayload] = ErrorCategory.InvalidArgument,
        [InvalidListenAddress] = ErrorCategory.InvalidArgument,
        [ListenerOptionConflict] = ErrorCategory.InvalidArgument,
        [InvalidListenerName] = ErrorCategory.InvalidArgument,
        [ListenerStopped] = ErrorCategory.OperationStopped,
        [ReceiveTimeout] = ErrorCategory.OperationTimeout,
        [ReceiveModeConflict] = ErrorCategory.InvalidArgument,
        [NewLineConflict] = ErrorCategory.InvalidArgument,
        [ParameterConflict] = ErrorCategory.InvalidArgument,
        [WaitTimeout] = ErrorCategory.OperationTimeout,
        [StartAfterEnd] = ErrorCategory.InvalidArgument,
    };

    /// <summary>The category of <paramref name="errorId"/>; NotSpecified for an id not in the catalogue.</summary>
    public static ErrorCategory CategoryOf(string errorId) =>
        s_categories.TryGetValue(errorId, out ErrorCategory category) ? category : ErrorCategory.NotSpecified;
}
