using System.Management.Automation;
using SocketShell.Completers;
using SocketShell.Ports;
using SocketShell.Transformations;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the port ranges of this machine, or what is known about given ports.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PortRange", DefaultParameterSetName = RangeSet)]
[OutputType(typeof(PortRange), ParameterSetName = [RangeSet])]
[OutputType(typeof(PortInfo), ParameterSetName = [PortSet])]
public sealed class GetPortRangeCommand : SocketCmdletBase
{
    private const string RangeSet = "Range";
    private const string PortSet = "Port";

    private PortCatalog? _catalog;

    /// <summary>Range names to write; wildcards allowed.</summary>
    [Parameter(ParameterSetName = RangeSet, HelpMessage = "Range names to write (System, User, Dynamic, Ephemeral, Reserved, Excluded); wildcards allowed.")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(PortRangeNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Ports to describe.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PortSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
        HelpMessage = "Ports to describe: numbers, lists or ranges such as '8000-8100'.")]
    [Alias("LocalPort")]
    [PortListTransformation]
    [ValidateRange(0, 65535)]
    [ArgumentCompleter(typeof(PortCompleter))]
    public int[] Port { get; set; } = [];

    /// <summary>The protocol to take ranges and service names for.</summary>
    [Parameter(HelpMessage = "Tcp, Udp or Any (default): which protocol's ranges and service names to use.")]
    public PortProtocol Protocol { get; set; } = PortProtocol.Any;

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        _catalog = PortCatalog.Read();
        foreach (PortRangeProblem problem in _catalog.Problems)
        {
            ErrorRecord record = SocketErrors.Record(problem.Exception, ErrorIds.PortRangeUnavailable, problem.Message);
            record.ErrorDetails = new ErrorDetails(problem.Message);
            WriteError(record);
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        PortCatalog catalog = _catalog!;
        if (ParameterSetName == PortSet)
        {
            foreach (int port in Port)
            {
                WriteObject(catalog.Describe(port, Protocol));
            }

            return;
        }

        WildcardPattern[]? patterns = Name?.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToArray();
        foreach (PortRange range in catalog.All)
        {
            if (range.AppliesTo(Protocol) && (patterns is null || patterns.Any(p => p.IsMatch(range.Name))))
            {
                WriteObject(range);
            }
        }
    }
}
