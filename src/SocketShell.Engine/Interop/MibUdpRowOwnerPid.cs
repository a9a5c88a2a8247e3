using System.Runtime.InteropServices;

namespace SocketShell.Interop;

/// <summary>MIB_UDPROW_OWNER_PID.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MibUdpRowOwnerPid
{
    public uint LocalAddr;
    public uint LocalPort;
    public uint OwningPid;
}
