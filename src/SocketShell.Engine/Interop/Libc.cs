using System.Runtime.InteropServices;

namespace SocketShell.Interop;

/// <summary>
/// The C library functions the engine calls directly (Linux: netlink sock_diag and /proc/&lt;pid&gt;/fd;
/// Unix socket files: statx; macOS: sysctlbyname). Every P/Invoke into libc is declared here and nowhere else.
/// </summary>
internal static partial class Libc
{
    /// <summary>O_RDONLY.</summary>
    public const int OpenReadOnly = 0;

    /// <summary>O_CLOEXEC on x86, x86-64, arm and arm64.</summary>
    public const int OpenCloseOnExec = 0x80000;

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static unsafe partial nint Send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static unsafe partial nint Recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>getsockname(2): the socket's local address (a struct sockaddr; the port is at bytes 2-3, network order, on Linux and BSD).</summary>
    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    public static unsafe partial int GetSockName(int fd, byte* address, uint* length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenDirectory(string path, int flags);

    [LibraryImport("libc", EntryPoint = "readlinkat")]
    public static unsafe partial nint ReadLinkAt(int directory, byte* name, byte* buffer, nint size);

    [LibraryImport("libc", EntryPoint = "opendir", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint OpenDir(string path);

    [LibraryImport("libc", EntryPoint = "readdir")]
    public static partial nint ReadDir(nint dir);

    [LibraryImport("libc", EntryPoint = "closedir")]
    public static partial int CloseDir(nint dir);

    [LibraryImport("libc", EntryPoint = "sysctlbyname", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial int SysctlByName(string name, void* oldp, nint* oldlenp, void* newp, nint newlen);

    /// <summary>AT_FDCWD: a relative path is relative to the current directory.</summary>
    public const int AtFdCwd = -100;

    /// <summary>STATX_TYPE: only the file type is wanted.</summary>
    public const uint StatxType = 0x1;

    /// <summary>STATX_INO: the inode number is wanted.</summary>
    public const uint StatxIno = 0x100;

    /// <summary>The offset of stx_ino (u64) in struct statx.</summary>
    public const int StatxInoOffset = 32;

    /// <summary>The size of struct statx (fixed across architectures).</summary>
    public const int StatxSize = 256;

    /// <summary>The offsets of stx_dev_major and stx_dev_minor (u32 each) in struct statx.</summary>
    public const int StatxDevMajorOffset = 136;

    /// <summary>See <see cref="StatxDevMajorOffset"/>.</summary>
    public const int StatxDevMinorOffset = 140;

    /// <summary>The offset of stx_mode (u16) in struct statx.</summary>
    public const int StatxModeOffset = 28;

    /// <summary>statx(2): the same struct layout on every Linux architecture (glibc 2.28+, musl 1.2.5+).</summary>
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
