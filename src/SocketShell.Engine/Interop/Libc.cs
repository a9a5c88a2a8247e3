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

    // Linux epoll, eventfd and non-blocking stream sockets: the listener's event loop (Listeners/StreamEventLoop).

    /// <summary>EPOLLIN.</summary>
    public const uint EpollIn = 0x001;

    /// <summary>EPOLLOUT.</summary>
    public const uint EpollOut = 0x004;

    /// <summary>EPOLLERR.</summary>
    public const uint EpollErr = 0x008;

    /// <summary>EPOLLHUP.</summary>
    public const uint EpollHup = 0x010;

    /// <summary>EPOLLEXCLUSIVE (Linux 4.5): one of the epoll sets watching a descriptor is woken per event.</summary>
    public const uint EpollExclusive = 1u << 28;

    /// <summary>EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD.</summary>
    public const int EpollCtlAdd = 1, EpollCtlDel = 2, EpollCtlMod = 3;

    /// <summary>EPOLL_CLOEXEC (= O_CLOEXEC).</summary>
    public const int EpollCloseOnExec = 0x80000;

    /// <summary>EFD_NONBLOCK | EFD_CLOEXEC.</summary>
    public const int EventFdNonBlockCloseOnExec = 0x800 | 0x80000;

    /// <summary>SOCK_NONBLOCK | SOCK_CLOEXEC for accept4.</summary>
    public const int SockNonBlockCloseOnExec = 0x800 | 0x80000;

    /// <summary>MSG_NOSIGNAL: a send to a closed peer fails with EPIPE instead of raising SIGPIPE.</summary>
    public const int MsgNoSignal = 0x4000;

    /// <summary>SHUT_RDWR.</summary>
    public const int ShutReadWrite = 2;

    /// <summary>IPPROTO_TCP and TCP_NODELAY.</summary>
    public const int IpProtoTcp = 6, TcpNoDelay = 1;

    /// <summary>Linux errno values the event loop tells apart.</summary>
    public const int EIntr = 4, EAgain = 11, ENoMem = 12, ENFile = 23, EMFile = 24, EProto = 71, ENoBufs = 105, EConnAborted = 103;

    /// <summary>AF_INET and AF_INET6 on Linux.</summary>
    public const ushort AfInet = 2, AfInet6 = 10;

    /// <summary>
    /// struct epoll_event is packed (12 bytes, data at offset 4) on x86 and x86-64 and naturally aligned
    /// (16 bytes, data at offset 8) elsewhere; the loop reads it through these two numbers.
    /// </summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    /// <summary>See <see cref="EpollEventSize"/>.</summary>
    public static readonly int EpollDataOffset = EpollEventSize == 12 ? 4 : 8;

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static unsafe partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static unsafe partial int EpollWait(int epfd, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, void* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, void* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    public static unsafe partial int Accept4(int fd, byte* address, uint* addressLength, int flags);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static unsafe partial int SetSockOpt(int fd, int level, int name, void* value, uint length);
}
