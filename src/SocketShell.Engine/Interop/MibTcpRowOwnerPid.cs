using System.Runtime.InteropServices;

namespace SocketShell.Interop;

/// <summary>The row layouts of iphlpapi's owner-PID tables (tcpmib.h, udpmib.h). All 4-byte aligned, no padding.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MibTcpRowOwnerPid
{
    public uint State;
    public uint LocalAddr;
    public uint LocalPort;
    public uint RemoteAddr;
    public uint RemotePort;
    public uint OwningPid;
}
