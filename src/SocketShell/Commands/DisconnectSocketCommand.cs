using System.Management.Automation;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Closes client connections gracefully and removes them from the session.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "Socket", SupportsShouldProcess = true)]
[OutputType(typeof(SocketConnection))]
public sealed class DisconnectSocketCommand : SocketCmdletBase
{
    private static readonly TimeSpan s_drain = TimeSpan.FromSeconds(1);

    /// <summary>The connections to close.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "The connections to close (from Connect-Socket or Get-Socket).")]
    [ValidateNotNull]
    public SocketConnection[] Socket { get; set; } = [];

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

            Wait(connection.DisconnectAsync(s_drain, CancellationToken));
            WriteVerbose($"Disconnected {connection.Target}: {connection.BytesSent} byte(s) sent, {connection.BytesReceived} received.");
            if (PassThru)
            {
                WriteObject(connection);
            }
        }
    }
}
