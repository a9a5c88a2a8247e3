namespace SocketShell.Ports;

/// <summary>Picks the source for the running OS.</summary>
public static class PortRangeSource
{
    /// <summary>The source of the running operating system.</summary>
    public static IPortRangeSource ForCurrentOS()
    {
        if (OperatingSystem.IsLinux())
        {
            return new LinuxPortRangeSource();
        }

        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return new SysctlPortRangeSource();
        }

        if (OperatingSystem.IsWindows())
        {
            return new WindowsPortRangeSource();
        }

        throw new PlatformNotSupportedException("SocketShell does not know where this operating system keeps its port ranges.");
    }
}
