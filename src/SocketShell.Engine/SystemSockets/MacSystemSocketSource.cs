using System.Buffers.Binary;
using System.Text;
using SocketShell.Interop;

namespace SocketShell.SystemSockets;

/// <summary>
/// macOS: every process's socket descriptors through libproc (proc_listpids, proc_pidinfo
/// PROC_PIDLISTFDS, proc_pidfdinfo PROC_PIDFDSOCKETINFO), so owners come with the table. Sockets no
/// process holds (TIME-WAIT) are not listed, and other users' processes need privilege. Not run on
/// the build machine (Linux): the parsing of socket_fdinfo is unit-tested with hand-built buffers.
/// </summary>
public sealed partial class MacSystemSocketSource : ISystemSocketSource
{
    private const uint ProcAllPids = 1;
    private const int ProcPidListFds = 1;
    private const int ProcPidFdSocketInfo = 3;

    /// <inheritdoc/>
    public string Name => "macos";

    /// <inheritdoc/>
    public unsafe SocketTable<SystemSocket> ReadTable(SystemSocketScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var sockets = new List<SystemSocket>();
        int skipped = 0;
        byte[] info = new byte[MacSocketInfo.SocketFdInfoSize];
        byte[] name = new byte[256];
        var byHandle = new Dictionary<ulong, SystemSocket>();
        foreach (int pid in ListPids())
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] fds = ListFds(pid);
            string? processName = null;
            bool named = false;
            for (int i = 0; i + MacSocketInfo.ProcFdInfoSize <= fds.Length; i += MacSocketInfo.ProcFdInfoSize)
            {
                int fd = BinaryPrimitives.ReadInt32LittleEndian(fds.AsSpan(i));
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(fds.AsSpan(i + 4));
                if (type != MacSocketInfo.ProxFdTypeSocket)
                {
                    continue;
                }

                int got;
                fixed (byte* p = info)
                {
                    got = LibProc.ProcPidFdInfo(pid, fd, ProcPidFdSocketInfo, p, info.Length);
                }

                if (got < MacSocketInfo.SocketFdInfoSize)
                {
                    continue; // closed meanwhile, or the process exited.
                }

                SystemSocket? s = MacSocketInfo.Parse(info);
                if (s is null || !scope.Includes(s.Protocol, s.AddressFamily))
                {
                    continue;
                }

                if (!named)
                {
                    named = true;
                    fixed (byte* n = name)
                    {
                        int len = LibProc.ProcName(pid, n, (uint)name.Length);
                        processName = len > 0 ? Encoding.UTF8.GetString(name, 0, len) : null;
                    }
                }

                ulong handle = MacSocketInfo.ReadHandle(info);
                if (byHandle.TryGetValue(handle, out SystemSocket? shared))
                {
                    // Another process holds the same socket (e.g. after fork).
                    if (!shared.ProcessIds.Contains(pid))
                    {
                        shared.ProcessIds = [.. shared.ProcessIds, pid];
                    }

                    continue;
                }

                s.ProcessId = pid;
                s.ProcessIds = [pid];
                s.ProcessName = processName;
                byHandle[handle] = s;
                sockets.Add(s);
            }
        }

        return new SocketTable<SystemSocket>("libproc", sockets, skipped, []);
    }

    /// <inheritdoc/>
    public void ResolveProcesses(IReadOnlyList<SystemSocket> sockets, CancellationToken cancellationToken)
    {
        // libproc gives the owners with the table.
    }

    private static unsafe int[] ListPids()
    {
        int bytes = LibProc.ProcListPids(ProcAllPids, 0, null, 0);
        if (bytes <= 0)
        {
            throw new IOException("proc_listpids failed.");
        }

        int[] pids = new int[(bytes / sizeof(int)) + 64];
        fixed (int* p = pids)
        {
            bytes = LibProc.ProcListPids(ProcAllPids, 0, p, pids.Length * sizeof(int));
        }

        int[] result = pids.AsSpan(0, Math.Max(0, bytes / sizeof(int))).ToArray().Where(p => p > 0).ToArray();
        Array.Sort(result); // lowest first, so ProcessId is the lowest holder as on Linux.
        return result;
    }

    private static unsafe byte[] ListFds(int pid)
    {
        int bytes = LibProc.ProcPidInfo(pid, ProcPidListFds, 0, null, 0);
        if (bytes <= 0)
        {
            return []; // exited, or not ours to look at.
        }

        byte[] buffer = new byte[bytes + (32 * MacSocketInfo.ProcFdInfoSize)];
        fixed (byte* b = buffer)
        {
            bytes = LibProc.ProcPidInfo(pid, ProcPidListFds, 0, b, buffer.Length);
        }

        return bytes <= 0 ? [] : buffer.AsSpan(0, bytes).ToArray();
    }
}
