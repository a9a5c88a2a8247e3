using System.Runtime.InteropServices;

namespace SocketShell.Interop;

/// <summary>libc calls the BCL has no managed form of (Linux).</summary>
internal static partial class Libc
{
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

    /// <summary>The offset of stx_mode (u16) in struct statx.</summary>
    public const int StatxModeOffset = 28;

    /// <summary>statx(2): the same struct layout on every Linux architecture (glibc 2.28+, musl 1.2.5+).</summary>
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
