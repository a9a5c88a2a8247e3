using System.Globalization;
using System.Management.Automation;
using SocketShell.Client;
using SocketShell.Completers;
using SocketShell.Resources;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the client connections this session made with Connect-Socket and has not disconnected.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "Socket")]
[OutputType(typeof(SocketConnection))]
public sealed class GetSocketCommand : SocketCmdletBase
{
    /// <summary>The connection numbers to get.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, HelpMessage = "The numbers (Id) of the connections to get; all when omitted.")]
    [ArgumentCompleter(typeof(SocketIdCompleter))]
    [ValidateNotNullOrEmpty]
    public int[]? Id { get; set; }

    /// <summary>Only connections in these states.</summary>
    [Parameter(HelpMessage = "Only connections in these states: Open, Closed (the peer ended the stream), Faulted (e.g. reset).")]
    [ValidateNotNullOrEmpty]
    public SocketConnectionState[]? State { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (Id is null)
        {
            foreach (SocketConnection c in RunspaceSessions.Current.Connections.GetAll())
            {
                if (Matches(c))
                {
                    WriteObject(c);
                }
            }

            return;
        }

        foreach (int id in Id)
        {
            SocketConnection? c = RunspaceSessions.Current.Connections.Get(id);
            if (c is null)
            {
                string message = string.Format(CultureInfo.CurrentCulture, Messages.SocketNotFound, id);
                WriteError(SocketErrors.Record(new SocketShellException(SocketErrorKind.SocketNotFound, message, id.ToString(CultureInfo.InvariantCulture)), ErrorIds.SocketNotFound, id));
            }
            else if (Matches(c))
            {
                WriteObject(c);
            }
        }
    }

    private bool Matches(SocketConnection c) => State is null || State.Contains(c.State);
}
