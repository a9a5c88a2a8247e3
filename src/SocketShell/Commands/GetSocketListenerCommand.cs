using System.Globalization;
using System.Management.Automation;
using SocketShell.Completers;
using SocketShell.Resources;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the background listeners running in this session.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SocketListener", DefaultParameterSetName = NameSet)]
[OutputType(typeof(SocketListener), ParameterSetName = [NameSet, IdSet])]
public sealed class GetSocketListenerCommand : SocketCmdletBase
{
    private const string NameSet = "Name";
    private const string IdSet = "Id";

    /// <summary>Names to get; wildcards allowed.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, HelpMessage = "Names of the listeners to get; wildcards allowed. Without it, every running listener.")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ListenerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Ids to get.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true, HelpMessage = "Ids of the listeners to get.")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ListenerIdCompleter))]
    public int[] Id { get; set; } = [];

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        List<SocketListener> listeners = ParameterSetName == IdSet
            ? ListenerSelection.ById(Id, WriteError)
            : ListenerSelection.ByName(Name, WriteError);
        WriteObject(listeners, enumerateCollection: true);
    }
}
