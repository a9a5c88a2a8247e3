using System.Runtime.InteropServices;

namespace SocketShell.Interop;

/// <summary>macOS libproc (in libSystem): the process and file-descriptor tables behind Get-SystemSocket.</summary>
internal static partial class LibProc
{
    private const string LibSystem = "/usr/lib/libSystem.dylib";

    [LibraryImport(LibSystem, EntryPoint = "proc_listpids")]
    public static unsafe partial int ProcListPids(uint type, uint typeInfo, void* buffer, int bufferSize);

    [LibraryImport(LibSystem, EntryPoint = "proc_pidinfo")]
    public static unsafe partial int ProcPidInfo(int pid, int flavor, ulong arg, void* buffer, int bufferSize);

    [LibraryImport(LibSystem, EntryPoint = "proc_pidfdinfo")]
    public static unsafe partial int ProcPidFdInfo(int pid, int fd, int flavor, void* buffer, int bufferSize);

    [LibraryImport(LibSystem, EntryPoint = "proc_name")]
    public static unsafe partial int ProcName(int pid, void* buffer, uint bufferSize);
}
