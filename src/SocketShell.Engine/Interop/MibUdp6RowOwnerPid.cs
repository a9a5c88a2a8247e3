using System.Runtime.InteropServices;

namespace SocketShell.Interop;

/// <summary>MIB_UDP6ROW_OWNER_PID.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MibUdp6RowOwnerPid
{
    public fixed byte LocalAddr[16];
    public uint LocalScopeId;
    public uint LocalPort;
    public uint OwningPid;
}
