using System.Runtime.InteropServices;

namespace SocketShell.Engine.Tests.Unix;

/// <summary>
/// Runs code on a dedicated thread whose user and group ids are another user's (Linux x86-64 and
/// arm64). The raw setresuid/setresgid system calls change the calling thread only (glibc's wrappers
/// would change every thread of the process); the saved ids stay root's, so the thread switches back.
/// </summary>
internal static partial class ThreadCredentials
{
    public const int Nobody = 65534;

    /// <summary>True when this process runs as root on a Linux architecture whose syscall numbers are known here.</summary>
    public static bool CanRunAsOtherUser =>
        OperatingSystem.IsLinux() && Environment.UserName == "root"
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    public static T RunAs<T>(int uid, Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            long setresgid = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 119 : 149;
            long setresuid = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 117 : 147;
            if (Syscall(setresgid, uid, uid, 0) != 0 || Syscall(setresuid, uid, uid, 0) != 0)
            {
                failure = new InvalidOperationException($"setresuid/setresgid failed: errno {Marshal.GetLastPInvokeError()}");
                return;
            }

            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                // Back to root (allowed: the saved ids are 0) before the thread ends.
                _ = Syscall(setresuid, 0, 0, 0);
                _ = Syscall(setresgid, 0, 0, 0);
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(20)), "the thread running as another user did not finish");
        if (failure is not null)
        {
            throw new InvalidOperationException("work as another user failed", failure);
        }

        return result;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a, long b, long c);
}
