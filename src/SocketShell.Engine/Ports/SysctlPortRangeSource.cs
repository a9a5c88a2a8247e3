using System.Runtime.InteropServices;
using SocketShell.Interop;

namespace SocketShell.Ports;

/// <summary>macOS and FreeBSD: sysctl net.inet.ip.portrange.first/last (no reserved ranges).</summary>
public sealed partial class SysctlPortRangeSource : IPortRangeSource
{
    private const string First = "net.inet.ip.portrange.first";
    private const string Last = "net.inet.ip.portrange.last";

    /// <inheritdoc/>
    public IReadOnlyList<PortRange> GetEphemeralRanges()
    {
        string source = $"sysctl {First}/{Last}";
        (int start, int end) = PortRangeParser.CheckSysctlRange(ReadInt(First), ReadInt(Last), source);
        return [new PortRange("Ephemeral", start, end, PortProtocol.Any, source)];
    }

    /// <inheritdoc/>
    public IReadOnlyList<PortRange> GetReservedRanges() => [];

    private static unsafe int ReadInt(string name)
    {
        int value = 0;
        nint size = sizeof(int);
        if (Libc.SysctlByName(name, &value, &size, null, 0) != 0 || size != sizeof(int))
        {
            throw new FormatException($"sysctl {name}: could not be read (errno {Marshal.GetLastPInvokeError()}).");
        }

        return value;
    }
}
