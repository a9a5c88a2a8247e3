using System.Management.Automation;

namespace SocketShell.Commands;

/// <summary>Turns a -Path a user typed into the path the engine uses.</summary>
internal static class UnixPaths
{
    /// <summary>
    /// '@name' (a Linux abstract name) stays as it is; anything else is a file path resolved against
    /// PowerShell's current location (not the process's), with '~' expanded. The file need not exist.
    /// </summary>
    public static string Resolve(PSCmdlet cmdlet, string path)
    {
        ArgumentNullException.ThrowIfNull(cmdlet);
        if (path.Length > 1 && path[0] == '@')
        {
            return path;
        }

        try
        {
            return cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        }
        catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or PSInvalidOperationException)
        {
            // Not a FileSystem location (e.g. the current location is a registry drive): take it as given.
            return path;
        }
    }
}
