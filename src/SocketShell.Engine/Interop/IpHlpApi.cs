using System.Runtime.InteropServices;

namespace SocketShell.Interop;

/// <summary>Windows IP Helper: the TCP and UDP tables with owning process ids.</summary>
internal static partial class IpHlpApi
{
    [LibraryImport("iphlpapi.dll", EntryPoint = "GetExtendedTcpTable")]
    public static unsafe partial uint GetExtendedTcpTable(byte* table, ref int size, int order, int family, int tableClass, uint reserved);

    [LibraryImport("iphlpapi.dll", EntryPoint = "GetExtendedUdpTable")]
    public static unsafe partial uint GetExtendedUdpTable(byte* table, ref int size, int order, int family, int tableClass, uint reserved);
}
