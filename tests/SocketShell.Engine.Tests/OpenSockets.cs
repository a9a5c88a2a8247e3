namespace SocketShell.Engine.Tests;

/// <summary>Counts this process's open sockets, so tests can prove they leave none behind.</summary>
public static class OpenSockets
{
    /// <summary>Linux: /proc/self/fd entries that link to socket:[inode]; -1 on other systems.</summary>
    public static int Count()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        int n = 0;
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
                {
                    n++;
                }
            }
            catch (IOException)
            {
                // closed while we looked
            }
        }

        return n;
    }
}
