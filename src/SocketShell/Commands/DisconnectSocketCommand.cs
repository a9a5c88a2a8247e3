using System.Management.Automation;
using SocketShell.Transformations;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Closes client connections gracefully and removes them from the session.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "Socket", SupportsShouldProcess = true)]
[OutputType(typeof(SocketConnection))]
public sealed class DisconnectSocketCommand : SocketCmdletBase
{
    /// <summary>The connections to close.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "The connections to close (from Connect-Socket or Get-Socket).")]
    [ValidateNotNull]
    public SocketConnection[] Socket { get; set; } = [];

    /// <summary>How long to wait for the peer to close after our FIN.</summary>
    [Parameter(HelpMessage = "How long to keep reading after shutting down sending, for the peer to close (default 1 s; 0 closes at once): seconds, '250ms' or a TimeSpan.")]
    [TimeoutTransformation(AllowZero = true)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Write each closed connection.</summary>
    [Parameter(HelpMessage = "Write each connection, with its final State and counters, once it is closed.")]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        foreach (SocketConnection connection in Socket)
        {
            if (connection is null || !ShouldProcess(connection.Target, "Disconnect"))
            {
                continue;
            }

            WaitFor(connection.DisconnectAsync(Timeout, CancellationToken));
            WriteVerbose($"Disconnected {connection.Target}: {connection.BytesSent} byte(s) sent, {connection.BytesReceived} received.");
            if (PassThru)
            {
                WriteObject(connection);
            }
        }
    }
}
