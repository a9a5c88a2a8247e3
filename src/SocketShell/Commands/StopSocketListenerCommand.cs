using System.Globalization;
using System.Management.Automation;
using SocketShell.Completers;
using SocketShell.Resources;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Stops background listeners: closes the listening socket and every live connection.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "SocketListener", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(SocketListener), ParameterSetName = [NameSet, IdSet, InputObjectSet])]
public sealed class StopSocketListenerCommand : SocketCmdletBase
{
    private const string NameSet = "Name";
    private const string IdSet = "Id";
    private const string InputObjectSet = "InputObject";

    /// <summary>Names to stop; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, HelpMessage = "Names of the listeners to stop; wildcards allowed.")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ListenerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Ids to stop.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, HelpMessage = "Ids of the listeners to stop.")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ListenerIdCompleter))]
    public int[] Id { get; set; } = [];

    /// <summary>Listeners to stop, e.g. from Get-SocketListener.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = InputObjectSet, ValueFromPipeline = true, HelpMessage = "Listeners to stop, as Start-SocketListener or Get-SocketListener wrote them.")]
    [ValidateNotNullOrEmpty]
    public SocketListener[] InputObject { get; set; } = [];

    /// <summary>Write the stopped listeners.</summary>
    [Parameter(HelpMessage = "Write each stopped listener, with its final counters.")]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        foreach (SocketListener listener in Resolve())
        {
            if (listener.State != ListenerState.Listening)
            {
                if (PassThru)
                {
                    WriteObject(listener);
                }

                continue;
            }

            string action = string.Format(CultureInfo.CurrentCulture, Messages.StopListenerAction, listener.ActiveConnections);
            if (!ShouldProcess($"{listener.Name} ({listener.Protocol.ToString().ToUpperInvariant()} {(object?)listener.Path ?? listener.LocalEndPoint})", action))
            {
                continue;
            }

            try
            {
                WaitFor(listener.StopAsync(TimeSpan.FromSeconds(10), CancellationToken));
            }
            catch (SocketShellException e)
            {
                // StopTimeout: the listening socket is closed; some connection loop has not ended yet.
                WriteError(SocketErrors.Record(e, e.Kind.ToString(), listener.Name));
                continue;
            }

            if (PassThru)
            {
                WriteObject(listener);
            }
        }
    }

    private List<SocketListener> Resolve() => ParameterSetName switch
    {
        InputObjectSet => InputObject.Where(l => l is not null).Distinct().ToList(),
        IdSet => ListenerSelection.ById(Id, WriteError),
        _ => ListenerSelection.ByName(Name, WriteError),
    };
}
