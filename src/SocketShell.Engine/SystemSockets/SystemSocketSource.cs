namespace SocketShell.SystemSockets;

/// <summary>Picks the source for the running OS.</summary>
public static class SystemSocketSource
{
    /// <summary>The source of the running operating system.</summary>
    public static ISystemSocketSource ForCurrentOS()
    {
        if (OperatingSystem.IsLinux())
        {
            return new LinuxSystemSocketSource();
        }

        if (OperatingSystem.IsWindows())
        {
            return new WindowsSystemSocketSource();
        }

        if (OperatingSystem.IsMacOS())
        {
            return new MacSystemSocketSource();
        }

        throw new PlatformNotSupportedException("SocketShell cannot read the socket table of this operating system (Linux, Windows and macOS are supported).");
    }
}
