using System.Globalization;
using System.Management.Automation;
using System.Net;
using SocketShell.Ports;
using SocketShell.Resources;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Gets ports that are free right now, checked by really binding them.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AvailablePort", DefaultParameterSetName = RangeSet)]
[OutputType(typeof(PortInfo), ParameterSetName = [RangeSet, ExplicitSet])]
public sealed class GetAvailablePortCommand : SocketCmdletBase
{
    private const string RangeSet = "Range";
    private const string ExplicitSet = "StartEnd";

    /// <summary>How many distinct free ports to find.</summary>
    [Parameter(Position = 0, HelpMessage = "How many distinct free ports to find (default 1).")]
    [ValidateRange(1, 65536)]
    public int Count { get; set; } = 1;

    /// <summary>The protocol the ports must be free for.</summary>
    [Parameter(HelpMessage = "Tcp (default), Udp, or Both: the protocols the ports must be free for.")]
    public AvailabilityProtocol Protocol { get; set; } = AvailabilityProtocol.Tcp;

    /// <summary>The local address to bind on.</summary>
    [Parameter(HelpMessage = "The local address the ports must be free on (default 127.0.0.1).")]
    [ValidateNotNull]
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>The named range to take ports from.</summary>
    [Parameter(ParameterSetName = RangeSet, HelpMessage = "The range to take ports from: Ephemeral (default), System, User or Dynamic.")]
    [ValidateSet("Ephemeral", "System", "User", "Dynamic", IgnoreCase = true)]
    public string Range { get; set; } = "Ephemeral";

    /// <summary>The first port of an explicit range.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExplicitSet, HelpMessage = "The first port of the range to search.")]
    [ValidateRange(1, 65535)]
    public int Start { get; set; }

    /// <summary>The last port of an explicit range.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExplicitSet, HelpMessage = "The last port of the range to search.")]
    [ValidateRange(1, 65535)]
    public int End { get; set; }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        PortCatalog catalog = PortCatalog.Read();
        PortProtocol factsProtocol = Protocol switch
        {
            AvailabilityProtocol.Tcp => PortProtocol.Tcp,
            AvailabilityProtocol.Udp => PortProtocol.Udp,
            _ => PortProtocol.Any,
        };

        (int start, int end, string rangeName) = ResolveRange(catalog, factsProtocol);
        List<int> found;
        try
        {
            found = PortAvailability.FindFree(
                Address, Protocol, start, end, Count,
                port => catalog.IsReserved(port, factsProtocol),
                CancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            ThrowSocketError(e, Address.ToString());
            return;
        }

        found.Sort();
        foreach (int port in found)
        {
            WriteObject(catalog.Describe(port, factsProtocol));
        }

        if (found.Count < Count)
        {
            string message = string.Format(
                CultureInfo.CurrentCulture, Messages.NotEnoughFreePorts,
                found.Count, Count, Protocol, rangeName, start, end, Address);
            WriteError(SocketErrors.Record(new SocketShellException(SocketErrorKind.NotEnoughFreePorts, message, rangeName), ErrorIds.NotEnoughFreePorts, rangeName));
        }
    }

    private (int Start, int End, string Name) ResolveRange(PortCatalog catalog, PortProtocol protocol)
    {
        if (ParameterSetName == ExplicitSet)
        {
            if (Start > End)
            {
                string message = string.Format(CultureInfo.CurrentCulture, Messages.StartAfterEnd, Start, End);
                ThrowTerminatingError(SocketErrors.Record(new ArgumentException(message), ErrorIds.StartAfterEnd, Start));
            }

            return (Start, End, $"{Start}-{End}");
        }

        if (!string.Equals(Range, "Ephemeral", StringComparison.OrdinalIgnoreCase))
        {
            PortRange iana = PortCatalog.IanaRanges.First(r => string.Equals(r.Name, Range, StringComparison.OrdinalIgnoreCase));
            return (iana.Start, iana.End, iana.Name);
        }

        List<PortRange> ephemeral = catalog.Ephemeral.Where(r => r.AppliesTo(protocol)).ToList();
        if (ephemeral.Count == 0)
        {
            string reason = catalog.Problems.Count > 0 ? catalog.Problems[0].Message : "the operating system did not say.";
            string message = string.Format(CultureInfo.CurrentCulture, Messages.RangeNotAvailable, "Ephemeral", reason);
            ThrowTerminatingError(SocketErrors.Record(new SocketShellException(SocketErrorKind.PortRangeUnavailable, message, "Ephemeral"), ErrorIds.PortRangeUnavailable, "Ephemeral"));
        }

        // Windows may give TCP and UDP different ranges; "Both" takes the ports both have in common.
        int start = ephemeral.Max(r => r.Start);
        int end = ephemeral.Min(r => r.End);
        if (end < start)
        {
            string message = string.Format(CultureInfo.CurrentCulture, Messages.RangeNotAvailable, "Ephemeral", "TCP's and UDP's ranges do not overlap.");
            ThrowTerminatingError(SocketErrors.Record(new SocketShellException(SocketErrorKind.PortRangeUnavailable, message, "Ephemeral"), ErrorIds.PortRangeUnavailable, "Ephemeral"));
        }

        return (start, end, "Ephemeral");
    }
}
